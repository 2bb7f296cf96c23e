"""Shared vocabulary of the order cycle: ids, products, customers, addresses, clocks,
domain events and declarative lifecycles (state machines)."""
