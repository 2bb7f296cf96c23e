"""Errors of the simulation: bad scenarios and runs that broke their own laws."""

from __future__ import annotations

from ordercycle.errors import ConfigurationError, NotFoundError, OrderCycleError

__all__ = ["ConservationError", "ScenarioError", "SimulationStateError", "UnknownKpiError"]


class ScenarioError(ConfigurationError):
    """A scenario is inconsistent; ``field`` is the dotted path of the offending field.

    >>> error = ScenarioError.invalid("scenario 'base'", "orders_per_day", -3, "a rate >= 0")
    >>> print(error)
    Invalid orders_per_day for scenario 'base': -3; expected a rate >= 0.
    >>> error.field
    'orders_per_day'
    """


class ConservationError(OrderCycleError, AssertionError):
    """A finished run broke a conservation law (a bug in the simulation or the domain).

    Attributes:
        problems: One sentence per broken law.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Conservation failed: " + "; ".join(problems) + ".")
        self.problems = tuple(problems)


class UnknownKpiError(NotFoundError):
    """A KPI name that the simulation does not compute."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__("KPI", name, known=known)


class SimulationStateError(OrderCycleError, RuntimeError):
    """A :class:`~ordercycle.simulation.Simulation` cannot do that now.

    Attributes:
        action: What was asked (``"advance"``).
        reason: Why it cannot be done.
    """

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"Cannot {action} the simulation: {reason}.")
        self.action = action
        self.reason = reason
