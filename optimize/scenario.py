"""Scenarios: a region, an objective and its parameters, and shocks, in a TOML file.

::

    name = "Eastside hub outage"
    region = "demo"            # "demo", or a region folder (relative to this file)
    period = "summer"          # optional
    objective = "maxmin"       # cost | coverage | maxmin | fair_share | balanced
    solver = "highs"           # optional: highs | cbc | pulp | pulp:NAME
    time_limit_s = 60          # optional

    [params]                   # objective parameters
    [network]                  # max_distance_m, cost_per_kg_km, budget_usd,
                               # max_transfer_m, transfer_cost_per_kg_km, roads (see below)

    [[shocks]]
    kind = "site_outage"
    site_ids = ["hub-eastside"]
    weeks = [2]                # optional: the weeks it hits (default: every week)

A scenario with ``weeks = N`` (N > 1), ``[network] max_transfer_m``, ``supply_profile`` /
``need_profile`` (one factor per week), ``params.maxmin_over`` or shocks with ``weeks`` is
planned over weeks by :mod:`optimize.network`.

Validated with pydantic; a bad file raises :class:`~equity.FoodshedError` naming the file, the
key and the allowed values.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from equity import FoodshedError

from ._objectives import OBJECTIVES
from .network import DEFAULT_TRANSFER_COST_PER_KG_KM, MAX_WEEKS, InWeeks
from .problem import DEFAULT_COST_PER_KG_KM, DEFAULT_MAX_DISTANCE_M
from .shocks import BudgetChange, DemandSurge, MaxDistance, SiteOutage, YieldFactor

if TYPE_CHECKING:
    from equity import Region

    from .solution import AllocationSolution

__all__ = [
    "MAX_FACTOR",
    "MAX_WEEKS",
    "Scenario",
    "ScenarioError",
    "example_scenarios",
    "read_toml",
    "run_scenario",
]


def example_scenarios() -> dict[str, Path]:
    """The example scenarios shipped for the demo region, by name."""
    folder = Path(__file__).resolve().parent / "scenarios"
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


class ScenarioError(FoodshedError, ValueError):
    """A scenario file is malformed."""


def read_toml(path: Path, error: type[FoodshedError], what: str) -> dict[str, Any]:
    """The parsed TOML file ``path`` (a ``what``, e.g. "scenario file"); a missing or
    unreadable file raises ``error`` naming it."""
    if not path.is_file():
        msg = f"{path}: no such {what}"
        raise error(msg)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror})"
        raise error(msg) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path}: is not a text file (byte {exc.start} is not UTF-8); save it as UTF-8 TOML"
        raise error(msg) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML: {exc}"
        raise error(msg) from exc


class _Strict(BaseModel):
    # TOML has inf and nan; neither is a usable setting
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: Any) -> Any:
        # pydantic reads true as 1 where a number is due: ``budget_usd = true`` would be a
        # budget of $1. No setting of a scenario is a true/false one.
        for key, v in data.items() if isinstance(data, dict) else ():
            if isinstance(v, bool) or (isinstance(v, list) and any(isinstance(x, bool) for x in v)):
                msg = (
                    f"{key} = {str(v).lower()}: true/false is not a setting here; write a "
                    "number or text"
                )
                raise ValueError(msg)
        return data


#: Largest multiplier a yield or demand shock may apply (a hundredfold is already implausible).
MAX_FACTOR = 100.0
#: Largest budget, reach and unit cost a scenario may set: far above any real plan.
MAX_USD = 1e12
MAX_DISTANCE_M = 1e6
MAX_COST_PER_KG_KM = 1e3


class _Shock(_Strict):
    #: the weeks (1-based) the shock hits; none: every week (see optimize.network.InWeeks); an
    #: empty list is an error
    weeks: list[Annotated[int, Field(ge=1)]] | None = None
    #: the shock of :mod:`optimize.shocks` the spec describes
    shock: ClassVar[type]

    @pydantic.field_validator("weeks")
    @classmethod
    def _some_week(cls, v: list[int] | None) -> list[int] | None:
        # an empty list read as no list hit every week: the opposite of what it says
        if v is not None and not v:
            msg = "weeks = [] names no week; leave it out to apply the shock to every week"
            raise ValueError(msg)
        return v

    def build(self) -> Any:
        """The shock: the spec's fields but ``kind`` and ``weeks`` are its arguments (a list as
        a tuple, an empty one as none); with ``weeks`` it hits only those weeks (``weeks = []``
        is an error: it names no week)."""
        args = self.model_dump(exclude={"kind", "weeks"})
        shock = self.shock(
            **{k: (tuple(v) or None) if isinstance(v, list) else v for k, v in args.items()}
        )
        return InWeeks(shock, tuple(self.weeks)) if self.weeks else shock


class _AtSites(_Shock):
    #: which sites the shock hits: by id and/or by kind (optimize.shocks)
    site_ids: list[str] | None = None
    site_kind: str | None = None


class _SiteOutage(_AtSites):
    shock = SiteOutage
    kind: Literal["site_outage"]


class _YieldFactor(_AtSites):
    shock = YieldFactor
    kind: Literal["yield_factor"]
    factor: float = Field(ge=0, le=MAX_FACTOR)
    commodities: list[str] | None = None


class _DemandSurge(_Shock):
    shock = DemandSurge
    kind: Literal["demand_surge"]
    factor: float = Field(ge=0, le=MAX_FACTOR)
    area_ids: list[str] | None = None
    area_flag: str | None = None
    commodities: list[str] | None = None
    area_column: str | None = None
    at_least: float | None = None
    at_most: float | None = None


class _BudgetChange(_Shock):
    shock = BudgetChange
    kind: Literal["budget_change"]
    budget_usd: float | None = Field(default=None, ge=0, le=MAX_USD)
    factor: float | None = Field(default=None, ge=0, le=MAX_FACTOR)
    delta_usd: float | None = Field(default=None, ge=-MAX_USD, le=MAX_USD)


class _MaxDistance(_Shock):
    shock = MaxDistance
    kind: Literal["max_distance"]
    max_distance_m: float = Field(gt=0, le=MAX_DISTANCE_M)


ShockSpec = Annotated[
    _SiteOutage | _YieldFactor | _DemandSurge | _BudgetChange | _MaxDistance,
    Field(discriminator="kind"),
]


class Network(_Strict):
    max_distance_m: float = Field(default=DEFAULT_MAX_DISTANCE_M, gt=0, le=MAX_DISTANCE_M)
    cost_per_kg_km: float = Field(default=DEFAULT_COST_PER_KG_KM, ge=0, le=MAX_COST_PER_KG_KM)
    budget_usd: float | None = Field(default=None, ge=0, le=MAX_USD)
    # --- the network over weeks (optimize/network.py) ---
    max_transfer_m: float | None = Field(default=None, gt=0, le=MAX_DISTANCE_M)
    transfer_cost_per_kg_km: float = Field(
        default=DEFAULT_TRANSFER_COST_PER_KG_KM, ge=0, le=MAX_COST_PER_KG_KM
    )
    #: road lines (a vector file relative to the scenario file, or "demo" for the demo's
    #: roads): distances over the roads instead of the straight line (equity.network_distances)
    roads: str | None = None


class Params(_Strict):
    unmet_penalty_usd_per_kg: float | None = Field(default=None, ge=0, le=MAX_USD)
    fair_share_band: float | None = Field(default=None, ge=0, le=1)
    equity_weight: float | None = Field(default=None, ge=0, le=1)
    maxmin_over: Literal["area_week", "area"] | None = None


class Scenario(_Strict):
    """A planning scenario (see the module docstring for the TOML format)."""

    name: str = "scenario"
    description: str = ""
    region: str = "demo"
    period: str | None = None
    objective: Literal["cost", "coverage", "maxmin", "fair_share", "balanced"] = "cost"
    solver: str | None = None
    time_limit_s: float | None = Field(default=None, gt=0, le=1e7)
    params: Params = Params()
    network: Network = Network()
    shocks: list[ShockSpec] = []
    # --- the network over weeks (optimize/network.py) ---
    weeks: int = Field(default=1, ge=1, le=MAX_WEEKS)
    supply_profile: list[Annotated[float, Field(ge=0)]] | None = None
    need_profile: list[Annotated[float, Field(ge=0)]] | None = None
    #: folder the TOML file was in (region paths are relative to it)
    base_dir: str | None = None
    #: where the scenario came from (its file), for messages
    source: str | None = None

    @pydantic.field_validator("region")
    @classmethod
    def _region_named(cls, v: str) -> str:
        if not v.strip():
            msg = "region is empty; give 'demo' or a region folder (relative to this file)"
            raise ValueError(msg)
        return v

    @pydantic.field_validator("solver")
    @classmethod
    def _solver_known(cls, v: str | None) -> str | None:
        from .backends import BACKENDS

        if v is not None and v.partition(":")[0].lower() not in BACKENDS:
            msg = f"unknown solver {v!r}; choose one of {', '.join(BACKENDS)}, or pulp:NAME"
            raise ValueError(msg)
        key, colon, extra = (v or "").partition(":")
        if colon and (key.lower() != "pulp" or not extra.strip()):
            msg = f"solver {v!r}: only 'pulp:' takes a name after ':', e.g. 'pulp:GLPK_CMD'"
            raise ValueError(msg)
        return v

    @pydantic.field_validator("period")
    @classmethod
    def _period_named(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            msg = "period is empty; name a period of the region, or leave the line out"
            raise ValueError(msg)
        return v

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read and validate a scenario file."""
        p = Path(path)
        data = read_toml(p, ScenarioError, "scenario file")
        if not data:  # an empty file would silently plan the demo city
            msg = (
                f"{p}: the scenario file is empty; set at least `region` (a region folder or "
                '"demo") and `objective` (see docs/optimize.md, Scenario files)'
            )
            raise ScenarioError(msg)
        data.setdefault("name", p.stem)
        return cls.from_dict(data, source=str(p), base_dir=str(p.resolve().parent))

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, source: str = "scenario", base_dir: str | None = None
    ) -> Scenario:
        for key in ("base_dir", "source"):
            if key in data:
                msg = f"{source}: '{key}' is set by the reader; remove it from the file"
                raise ScenarioError(msg)
        try:
            return cls.model_validate({**data, "base_dir": base_dir, "source": source})
        except pydantic.ValidationError as exc:
            raise ScenarioError(_explain(exc, source)) from None

    def shock_objects(self) -> list[Any]:
        return [s.build() for s in self.shocks]

    def objective_params(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.params.model_dump().items()
            if v is not None and k != "maxmin_over"
        }

    @property
    def is_network(self) -> bool:
        """Whether the scenario needs the network over weeks (more than one week, transfers,
        shocks by week, weekly profiles or ``maxmin_over``) rather than the one-period LP."""
        return (
            self.weeks > 1
            or self.network.max_transfer_m is not None
            or any(s.weeks for s in self.shocks)
            or self.supply_profile is not None
            or self.need_profile is not None
            or self.params.maxmin_over is not None
        )

    def load_region(self) -> Region:
        from equity import Region

        if self.region == "demo":
            return Region.demo()
        p = Path(self.region)
        if not p.is_absolute() and self.base_dir:
            p = Path(self.base_dir) / p
        return Region.from_dir(p)

    def check_period(self, region: Region) -> None:
        """Raise :class:`ScenarioError` (naming this file) when ``period`` is not the region's."""
        if self.period is None or self.period in region.periods:
            return
        known = ", ".join(map(str, region.periods))
        where = f"{self.source}: " if self.source else ""
        if known:
            msg = f"{where}period {self.period!r} is not a period of region {region.name!r}; its "
            msg += f"periods are {known}"
        else:
            msg = f"{where}period {self.period!r} is set, but region {region.name!r} has no "
            msg += "periods; remove the period line"
        raise ScenarioError(msg)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude={"base_dir", "source"}, exclude_none=True)

    def road_costs(self, region: Region, to: str = "areas") -> Any:
        """Road distances of ``[network] roads`` (``None`` without roads): the ``cost_table``
        (``to="areas"``) or the transfers' ``site_cost_table`` (``to="sites"``)."""
        if self.network.roads is None:
            return None
        from equity.roads import network_distances

        if self.network.roads == "demo":
            from equity.region import demo_dir

            path = demo_dir() / "roads.geojson"
        else:
            path = Path(self.network.roads)
            if not path.is_absolute() and self.base_dir:
                path = Path(self.base_dir) / path
        reach = self.network.max_distance_m if to == "areas" else self.network.max_transfer_m
        return network_distances(region, path, to=to, max_distance_m=reach)


def _explain(exc: pydantic.ValidationError, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the scenario:"]
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith("function-"))
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = err["loc"][:-1]
            allowed = _allowed(parent)
            text = f"unknown key; allowed keys here: {allowed}"
        elif kind == "union_tag_invalid":
            text = "unknown shock kind; use one of " + ", ".join(
                repr(k)
                for k in (
                    "site_outage",
                    "yield_factor",
                    "demand_surge",
                    "budget_change",
                    "max_distance",
                )
            )
        elif kind == "union_tag_not_found":
            text = "each [[shocks]] entry needs kind = 'site_outage' | 'yield_factor' | ..."
        else:
            text = err["msg"].removeprefix("Value error, ")
            if kind == "literal_error" and err["loc"][-1] == "objective":
                text = f"unknown objective {err['input']!r}; choose one of {sorted(OBJECTIVES)}"
        lines.append(f"  - {loc or '(top level)'}: {text}")
    return "\n".join(lines)


def _allowed(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Scenario
    if loc and loc[0] == "params":
        model = Params
    elif loc and loc[0] == "network":
        model = Network
    elif loc and loc[0] == "shocks" and len(loc) >= 3:
        model = {
            "site_outage": _SiteOutage,
            "yield_factor": _YieldFactor,
            "demand_surge": _DemandSurge,
            "budget_change": _BudgetChange,
            "max_distance": _MaxDistance,
        }.get(str(loc[2]), Scenario)
    return sorted(k for k in model.model_fields if k not in ("base_dir", "source"))


def run_scenario(
    scenario: Scenario | str | os.PathLike[str], region: Region | None = None
) -> AllocationSolution:
    """Solve a scenario (an object or a TOML path); ``region`` overrides its ``region``."""
    from .api import allocate

    sc = scenario if isinstance(scenario, Scenario) else Scenario.from_toml(scenario)
    reg = region if region is not None else sc.load_region()
    sc.check_period(reg)
    try:
        if sc.is_network:
            from .network import run_network_scenario

            return run_network_scenario(sc, reg)
        sol = allocate(
            reg,
            objective=sc.objective,
            shocks=sc.shock_objects(),
            period=sc.period,
            max_distance_m=sc.network.max_distance_m,
            budget_usd=sc.network.budget_usd,
            cost_per_kg_km=sc.network.cost_per_kg_km,
            cost_table=sc.road_costs(reg),
            solver=sc.solver,
            time_limit_s=sc.time_limit_s,
            **sc.objective_params(),
        )
    except FoodshedError as exc:  # a shock, solver or parameter the region or solver refuses
        where = sc.source or f"scenario {sc.name!r}"
        raise ScenarioError(f"{where}: {exc}") from exc
    sol.manifest["scenario"] = sc.to_dict()
    return sol
