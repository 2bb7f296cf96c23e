"""ordercycle.storage."""
