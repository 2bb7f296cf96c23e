"""ordercycle.testing."""
