"""ordercycle.simulation."""
