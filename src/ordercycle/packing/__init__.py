"""ordercycle.packing."""
