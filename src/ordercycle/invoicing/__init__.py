"""ordercycle.invoicing."""
