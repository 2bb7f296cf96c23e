"""Sample data and the demo story, in one place of their own.

Nothing in the library depends on this package; it sits on top, beside the CLI, and
uses the public API the way a user would:

- :mod:`ordercycle.examples.shop`: a sample shop (customers, products, stock in two
  warehouses) for tutorials, tests and benchmarks.
- :mod:`ordercycle.examples.story`: the order-to-cash story told on an
  :class:`~ordercycle.service.OrderDesk`.
- :mod:`ordercycle.examples.packing`: a carton catalogue and an order to pack.
- :mod:`ordercycle.examples.demo`: ``python -m ordercycle demo``: the story, then the
  building blocks chapter by chapter.
"""
