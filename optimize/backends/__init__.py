"""Solver backends behind one small interface.

A backend is an object with a ``name`` and ``solve(lp, stages, *, time_limit_s, options)`` that
returns a :class:`~optimize._lp.BackendResult`. :func:`get_backend` chooses one by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from importlib import import_module
from typing import Any

from .._lp import BackendResult, LinearProgram, Stage

__all__ = ["BACKENDS", "Backend", "available_backends", "get_backend"]


class Backend(ABC):
    """A solver behind the one interface: :meth:`solve` hands a :class:`LinearProgram` and its
    objective stages to :meth:`_solve` with ``options`` as a fresh dict the backend may
    consume."""

    name: str
    #: The Python package the backend needs (``available`` is whether it imports).
    package: str = ""

    def available(self) -> bool:
        try:
            import_module(self.package)
        except ImportError:
            return False
        return True

    def solve(
        self,
        lp: LinearProgram,
        stages: list[Stage],
        *,
        time_limit_s: float | None = None,
        options: dict[str, Any] | None = None,
    ) -> BackendResult:
        return self._solve(lp, stages, time_limit_s, dict(options or {}))

    @abstractmethod
    def _solve(
        self, lp: LinearProgram, stages: list[Stage], time_limit_s: float | None, options: dict
    ) -> BackendResult: ...


#: Backend names and the module that implements each.
BACKENDS = ("highs", "cbc", "pulp")


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (``highs``, ``cbc`` or ``pulp``; ``pulp:GLPK_CMD`` picks a
    PuLP solver by its PuLP name)."""
    from equity import FoodshedError

    key, colon, extra = name.partition(":")
    key = key.lower()
    if colon and (key != "pulp" or not extra.strip()):
        # 'pulp:' without a name, or 'highs:x', used to run the default solver silently
        msg = f"solver {name!r}: only 'pulp:' takes a name after ':', e.g. 'pulp:GLPK_CMD'"
        raise FoodshedError(msg)
    if key == "highs":
        from ._highs import HighsBackend

        return HighsBackend()
    if key == "cbc":
        from ._cbc import CbcBackend

        return CbcBackend()
    if key == "pulp":
        from ._pulp import PulpBackend

        return PulpBackend(extra or None)
    msg = f"unknown solver {name!r}; choose one of {list(BACKENDS)} (or 'pulp:SOLVER_NAME')"
    raise FoodshedError(msg)


def available_backends() -> list[str]:
    """Names of the backends that can run here."""
    return [n for n in BACKENDS if get_backend(n).available()]
