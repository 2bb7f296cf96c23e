"""ordercycle.inventory."""
