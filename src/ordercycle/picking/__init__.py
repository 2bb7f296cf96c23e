"""ordercycle.picking."""
