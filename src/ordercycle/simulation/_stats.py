"""Student t quantiles for the 95 % intervals of replications and batch means."""

from __future__ import annotations

# Two-sided 95 % Student t quantiles by degrees of freedom (1..30); 1.96 beyond.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(degrees: int) -> float:
    """The two-sided 95 % Student t quantile for ``degrees`` of freedom (1 or more)."""
    return _T95[degrees - 1] if degrees <= len(_T95) else 1.96
