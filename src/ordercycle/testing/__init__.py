"""Test helpers shipped with ``ordercycle`` for users' own test suites.

- :mod:`ordercycle.testing.strategies`: Hypothesis strategies for money, quantities,
  addresses, products, customers, clocks and domain events.

Submodules import their test dependencies (such as :mod:`hypothesis`) themselves; this
package imports none of them, so ``import ordercycle.testing`` is always safe.
"""
