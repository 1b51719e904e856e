"""The solver-neutral linear program and the project's own solve status.

Every backend takes a :class:`LinearProgram` (arrays only) and returns a :class:`BackendResult`;
nothing outside ``optimize/backends`` sees a solver's own status codes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from equity import FoodshedError

__all__ = ["BackendResult", "LinearProgram", "SolveStatus", "Stage", "check_time_limit"]

INF = np.inf


class SolveStatus(enum.StrEnum):
    """How a solve ended, in the project's words."""

    OPTIMAL = "optimal"
    #: A time limit was hit; the best solution found so far is returned (not proven optimal).
    TIME_LIMIT = "time_limit"
    #: A time limit was hit before any solution was found.
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT)

    @property
    def words(self) -> str:
        """The status in plain words, as every product shows it (CLI, KPIs, report, app)."""
        return _STATUS_WORDS[self]


_STATUS_WORDS = {
    SolveStatus.OPTIMAL: "optimal",
    SolveStatus.TIME_LIMIT: "stopped at the time limit: not optimal",
    SolveStatus.NO_SOLUTION: "stopped at the time limit before finding a plan",
    SolveStatus.INFEASIBLE: "infeasible: no plan meets the constraints",
    SolveStatus.UNBOUNDED: "unbounded: the data have infinite or missing values",
    SolveStatus.ERROR: "the solver failed",
}


def check_time_limit(time_limit_s: float | None) -> float | None:
    """``time_limit_s`` as a float, or an error unless it is ``None`` or a positive number
    of seconds (0 and negative limits used to be accepted and stopped a solve at once)."""
    if time_limit_s is None:
        return None
    try:
        t = float(time_limit_s)
    except (TypeError, ValueError):
        t = float("nan")
    if not t > 0:
        msg = (
            f"time_limit_s must be a positive number of seconds; got {time_limit_s!r}. "
            "Leave it out (None) for no limit."
        )
        raise FoodshedError(msg)
    return t


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """``min c.x + offset`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``.

    ``A`` is CSC. ``integrality`` (optional) is 1 for integer columns, 0 for continuous.
    ``col_names``/``row_names`` are used only for file export (index-based by default).
    """

    c: np.ndarray
    A: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    offset: float = 0.0
    integrality: np.ndarray | None = None

    @property
    def n_cols(self) -> int:
        return int(self.c.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.row_lo.shape[0])

    @property
    def is_mip(self) -> bool:
        return self.integrality is not None and bool(np.any(self.integrality))

    def with_row(self, coef: np.ndarray, lo: float, hi: float) -> LinearProgram:
        """A copy with one dense-ish row appended (used to fix a lexicographic stage)."""
        row = sp.csr_matrix(np.asarray(coef, dtype=float).reshape(1, -1))
        A = sp.vstack([self.A, row], format="csc")
        return replace(
            self,
            A=A,
            row_lo=np.append(self.row_lo, lo),
            row_hi=np.append(self.row_hi, hi),
        )

    def with_cost(self, c: np.ndarray, offset: float = 0.0) -> LinearProgram:
        return replace(self, c=np.asarray(c, dtype=float), offset=offset)


@dataclass(frozen=True)
class Stage:
    """One objective of a lexicographic solve: minimise ``c.x``; before the next stage the
    value is kept within ``rel_tol`` (relative) plus ``abs_tol`` of the optimum."""

    c: np.ndarray
    name: str = "objective"
    rel_tol: float = 1e-7
    abs_tol: float = 1e-6
    #: Weight of this stage in one combined first solve (``sum weight_i * c_i``), which a
    #: backend may try before the stage-by-stage solve and then certify (see
    #: ``optimize.backends._highs``); ``None`` on any stage means "stages one by one".
    weight: float | None = None


@dataclass
class BackendResult:
    """What a backend hands back: primal values, optional row duals, status, objective and times."""

    status: SolveStatus
    x: np.ndarray | None
    objective: float | None
    row_dual: np.ndarray | None = None
    solver: str = ""
    message: str = ""
    times_s: dict[str, float] = field(default_factory=dict)
    stage_objectives: list[float] = field(default_factory=list)
    #: row duals after each stage (``None`` where the solver gave none), base rows only
    stage_duals: list[np.ndarray | None] = field(default_factory=list)
    #: the solve started from a remembered basis (HiGHS warm start)
    warm_start: bool = False
    #: where the first solve started: ``cold``, ``warm`` (a remembered basis) or ``clp``
    #: (Clp's basis, see :func:`optimize.backends._cbc.clp_start`)
    start: str = "cold"
    #: the simplex a warm start ran first: ``primal`` when the remembered basis was optimal
    #: for the same bounds (only costs changed, so it is still feasible), else ``dual``;
    #: ``None`` without a warm start
    warm_simplex: str | None = None
    #: the primal of the last solve that ended optimal (an earlier stage of a staged solve, or
    #: the weighted first solve) when a later one was stopped: a feasible plan to fall back
    #: on when the stopped solve's own primal is not (see ``optimize.solve``)
    fallback_x: np.ndarray | None = None


def stage_bound(value: float, stage: Stage) -> float:
    """Upper bound that keeps a minimised stage objective near its optimum ``value``."""
    return value + abs(value) * stage.rel_tol + stage.abs_tol
