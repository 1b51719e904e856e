"""Sweep specs: a base scenario and the parameters to vary, expanded into scenario records.

Private to :mod:`optimize.sweep`; see that module (and docs/sweeps.md) for the TOML format.
Expansion is deterministic: every random value comes from its own stream, seeded from the spec's
seed, the grid point's values, the draw number and the parameter's name, so adding a draw, a
grid value or a parameter never changes the values already drawn for the other scenarios.
Scenario ids hash the fully resolved inputs, so ``--resume`` skips exactly the scenarios whose
inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pydantic
from pydantic import Field, field_validator

from ._objectives import _PARAMS
from .scenario import (
    MAX_COST_PER_KG_KM,
    MAX_DISTANCE_M,
    MAX_FACTOR,
    MAX_USD,
    MAX_WEEKS,
    Scenario,
    ScenarioError,
    _Strict,
    read_toml,
)

if TYPE_CHECKING:
    from .problem import AllocationProblem

__all__ = [
    "MAX_SCENARIOS",
    "NETWORK_PARAMS",
    "PARAMETERS",
    "SweepSpec",
    "SweepSpecError",
    "expand",
]


class SweepSpecError(ScenarioError):
    """A sweep spec is malformed (the message names the file and the key)."""


#: Parameters a sweep can vary: name -> (what a sub-key selects, what it does).
PARAMETERS: dict[str, tuple[str | None, str]] = {
    "equity_weight": (None, "objective parameter (objective 'balanced')"),
    "fair_share_band": (None, "objective parameter (objective 'fair_share')"),
    "unmet_penalty_usd_per_kg": (None, "objective parameter ('cost', 'fair_share')"),
    "budget_usd": (None, "transport budget (a budget_change shock)"),
    "max_distance_m": (None, "reach of every site (a max_distance shock)"),
    "yield_factor": ("site kind", "supply multiplier at sites of a kind (all sites without one)"),
    "outage_probability": ("site kind", "chance that each site of the kind is out, per draw"),
    "demand_surge": ("area flag", "need multiplier in areas with a flag (all without one)"),
    # the network over weeks (optimize.network): each value builds its own network problem
    "weeks": (None, "weeks planned at once (the network over weeks; [vary] only)"),
    "max_transfer_m": (None, "longest move between sites, m; 0 for none ([vary] only)"),
    "transfer_cost_per_kg_km": (None, "cost of moves between sites per kg-km ([vary] only)"),
}
#: Parameters that shape the network over weeks: every scenario of a spec varying one is
#: planned over weeks, on the network problem of its values (built once per distinct set)
NETWORK_PARAMS = ("weeks", "max_transfer_m", "transfer_cost_per_kg_km")
#: The most scenarios one sweep may have: its records are held in memory and written to
#: ``scenarios.parquet`` before the first solve (100,000 take about 10 s and 200 MB).
MAX_SCENARIOS = 100_000
#: The values each parameter can take: (low, high, low excluded).
_DOMAIN: dict[str, tuple[float, float, bool]] = {
    "equity_weight": (0.0, 1.0, False),
    "fair_share_band": (0.0, 1.0, False),
    "outage_probability": (0.0, 1.0, False),
    "unmet_penalty_usd_per_kg": (0.0, MAX_USD, False),
    "budget_usd": (0.0, MAX_USD, False),
    "max_distance_m": (0.0, MAX_DISTANCE_M, True),
    "yield_factor": (0.0, MAX_FACTOR, False),
    "demand_surge": (0.0, MAX_FACTOR, False),
    "weeks": (1.0, MAX_WEEKS, False),
    "max_transfer_m": (0.0, MAX_DISTANCE_M, False),
    "transfer_cost_per_kg_km": (0.0, MAX_COST_PER_KG_KM, False),
}
_NOT_INPUTS = ("shocks", "params", "name", "description")
_OBJECTIVE_PARAMS = ("equity_weight", "fair_share_band", "unmet_penalty_usd_per_kg")
_AXIS_KEYS = {"values", "start", "stop", "step", "num"}
_DIST_KEYS = {"uniform", "normal", "triangular", "choice", "min", "max"}


class _Range(_Strict):
    start: float
    stop: float
    step: float | None = Field(default=None, gt=0)
    num: int | None = Field(default=None, ge=1, le=10_000)

    def values(self) -> list[float]:
        if (self.step is None) == (self.num is None):
            msg = "a range needs exactly one of `step` or `num`"
            raise ValueError(msg)
        if self.num is not None:
            return [float(v) for v in np.linspace(self.start, self.stop, self.num)]
        count = (self.stop - self.start) / self.step + 1e-9 + 1  # type: ignore[operator]
        if not math.isfinite(count) or count >= 10_001:
            shown = f"{count:,.0f}" if math.isfinite(count) else "too many"
            msg = f"the range has {shown} values; at most 10000"
            raise ValueError(msg)
        n = math.floor(count)
        if n < 1:
            msg = f"an empty range: start {self.start} is past stop {self.stop}"
            raise ValueError(msg)
        return [round(self.start + i * self.step, 12) for i in range(n)]  # type: ignore[operator]


class _Dist(_Strict):
    uniform: tuple[float, float] | None = None
    normal: tuple[float, float] | None = None
    triangular: tuple[float, float, float] | None = None
    choice: list[float] | None = None
    min: float | None = None
    max: float | None = None

    def check(self) -> _Dist:
        given = [k for k in ("uniform", "normal", "triangular", "choice") if getattr(self, k)]
        if len(given) != 1:
            msg = "a random draw needs exactly one of uniform, normal, triangular, choice"
            raise ValueError(msg)
        if self.uniform and self.uniform[0] > self.uniform[1]:
            msg = f"uniform = [low, high] needs low <= high; got {list(self.uniform)}"
            raise ValueError(msg)
        if self.normal and self.normal[1] < 0:
            msg = f"normal = [mean, sd] needs sd >= 0; got {list(self.normal)}"
            raise ValueError(msg)
        if self.min is not None and self.max is not None and self.min > self.max:
            msg = f"min = {self.min:g} is above max = {self.max:g}; give min <= max"
            raise ValueError(msg)
        if self.triangular and not (self.triangular[0] <= self.triangular[1] <= self.triangular[2]):
            msg = f"triangular = [low, mode, high] needs low <= mode <= high; got {self.triangular}"
            raise ValueError(msg)
        return self

    def draw(self, rng: np.random.Generator) -> float:
        if self.uniform:
            v = rng.uniform(*self.uniform)
        elif self.normal:
            v = rng.normal(*self.normal)
        elif self.triangular:
            lo, mode, hi = self.triangular
            v = lo if lo == hi else rng.triangular(lo, mode, hi)
        else:
            v = rng.choice(np.asarray(self.choice, dtype=float))
        lo = -np.inf if self.min is None else self.min
        hi = np.inf if self.max is None else self.max
        return float(np.clip(v, lo, hi))


class _Draw(_Strict):
    count: int = Field(default=1, ge=1, le=1_000_000)
    seed: int = 0


class _Resilience(_Strict):
    flag: str = "LILATracts_1And10"
    threshold: float = Field(default=0.5, ge=0, le=1)


class SweepSpec(_Strict):
    """A validated sweep spec (see :mod:`optimize.sweep` for the TOML format)."""

    name: str = "sweep"
    description: str = ""
    base: Scenario
    #: parameter name -> list of values (crossed: every combination is a scenario)
    vary: dict[str, list[float]] = {}
    #: parameter name -> distribution (drawn ``draw.count`` times per combination)
    random: dict[str, _Dist] = {}
    draw: _Draw = _Draw()
    resilience: _Resilience = _Resilience()
    batch_size: int = Field(default=8, ge=1, le=10_000)
    source: str = "sweep spec"

    @field_validator("random")
    @classmethod
    def _check_random(cls, v: dict[str, _Dist]) -> dict[str, _Dist]:
        for d in v.values():
            d.check()
        return v

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> SweepSpec:
        """Read and validate a sweep spec file; errors name the file and the key."""
        p = Path(path)
        data = read_toml(p, SweepSpecError, "sweep spec file")
        data.setdefault("name", p.stem)
        return cls.from_dict(data, source=str(p), base_dir=p.resolve().parent)

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        source: str = "sweep spec",
        base_dir: str | os.PathLike[str] | None = None,
    ) -> SweepSpec:
        """Validate a spec given as a dict (the parsed TOML)."""
        data = dict(data)
        problems: list[str] = []
        known = {"name", "description", "base", "vary", "random", "draw", "resilience"}
        known |= {"batch_size"}
        for key in sorted(set(data) - known):
            problems.append(f"{key}: unknown key; allowed top-level keys: {sorted(known)}")
        base = data.pop("base", None)
        scenario: Scenario | None = None
        if base is None:
            problems.append(
                "base: missing; give a scenario file (base = 'my_scenario.toml') or a [base] table"
            )
        elif isinstance(base, str):
            bp = Path(base)
            if not bp.is_absolute() and base_dir is not None:
                bp = Path(base_dir) / bp
            try:
                scenario = Scenario.from_toml(bp)
            except ScenarioError as exc:
                problems.append(f"base: the scenario {base!r} is not usable: {exc}")
        elif isinstance(base, dict):
            try:
                scenario = Scenario.from_dict(
                    {"name": data.get("name", "sweep"), **base},
                    source=f"{source} [base]",
                    base_dir=None if base_dir is None else str(base_dir),
                )
            except ScenarioError as exc:
                problems.append(f"base: {exc}")
        else:
            problems.append(f"base: expected a file name or a table; got {type(base).__name__}")

        vary, random = {}, {}
        draw = data.get("draw", {})
        if not isinstance(draw, dict):
            problems.append("draw: expected a table with `count` and `seed`")
            draw = {}
        for section in ("vary", "random"):
            raw = data.get(section, {})
            if not isinstance(raw, dict):
                problems.append(f"{section}: expected a table of parameters")
                continue
            for name, value in _flatten(raw):
                where = f"{section}.{name}"
                # the scenario's own spelling of its [network] keys: network.max_transfer_m
                head, _, rest = name.partition(".")
                if head == "network" and rest in PARAMETERS:
                    name = rest
                err = _check_name(name)
                if err:
                    problems.append(f"{where}: {err}")
                    continue
                try:
                    if section == "vary":
                        vary[name] = _axis_values(value)
                    else:
                        random[name] = _dist(value)
                except (ValueError, pydantic.ValidationError) as exc:
                    problems.append(f"{where}: {_short(exc)}")
        for name in sorted(set(vary) & set(random)):
            problems.append(f"{name}: given in both [vary] and [random]; keep one")
        for name in sorted(set(random) & set(NETWORK_PARAMS)):
            problems.append(
                f"random.{name}: each value builds its own network problem, so {name} can "
                f"only be listed in [vary] (e.g. {name} = [...])"
            )
        if "weeks" in vary and any(v != int(v) for v in vary["weeks"] if math.isfinite(v)):
            problems.append(f"vary.weeks: weeks are whole numbers; got {vary['weeks']}")
        for name, values in vary.items():
            problems += [f"vary.{name}: {e}" for e in _check_values(name, values)]
        for name, dist in random.items():
            problems += [f"random.{name}: {e}" for e in _check_support(name, dist)]
        if not problems:
            problems += _check_size(vary, draw)
        if scenario is not None:
            problems += _check_against_base(scenario, [*vary, *random])
        if problems:
            raise SweepSpecError(_report(source, problems))
        try:
            return cls.model_validate(
                {
                    **{k: v for k, v in data.items() if k not in ("vary", "random")},
                    "base": scenario,
                    "vary": vary,
                    "random": random,
                    "source": source,
                }
            )
        except pydantic.ValidationError as exc:
            lines = []
            for detail in exc.errors():
                loc = ".".join(str(x) for x in detail["loc"])
                text = (
                    "unknown key"
                    if detail["type"] == "extra_forbidden"
                    else detail["msg"].removeprefix("Value error, ")
                )
                lines.append(f"{loc}: {text}")
            raise SweepSpecError(_report(source, lines)) from None

    # ------------------------------------------------------------------ shape
    @property
    def grid_size(self) -> int:
        return math.prod(len(v) for v in self.vary.values()) if self.vary else 1

    @property
    def draws(self) -> int:
        return self.draw.count

    @property
    def size(self) -> int:
        """How many scenarios the spec expands to."""
        return self.grid_size * self.draws

    @property
    def parameters(self) -> list[str]:
        return [*self.vary, *self.random]

    @property
    def varies_network(self) -> bool:
        """Whether ``[vary]`` lists a parameter of the network over weeks
        (:data:`NETWORK_PARAMS`): then every scenario is planned over weeks."""
        return any(p in self.vary for p in NETWORK_PARAMS)

    def network_settings(self, values: dict[str, float] | None = None) -> dict[str, Any]:
        """The base scenario's network settings (weeks, longest move between sites, cost per
        kg-km of moves) with ``values`` (a scenario's swept ones) in their place; a longest
        move of 0 means no moves."""
        out: dict[str, Any] = {
            "weeks": int(self.base.weeks),
            "max_transfer_m": self.base.network.max_transfer_m,
            "transfer_cost_per_kg_km": float(self.base.network.transfer_cost_per_kg_km),
        }
        for name, v in (values or {}).items():
            if name in NETWORK_PARAMS:
                out[name] = int(v) if name == "weeks" else float(v)
        if not out["max_transfer_m"]:
            out["max_transfer_m"] = None
        return out

    def network_grid(self) -> list[dict[str, Any]]:
        """The distinct :meth:`network_settings` of the spec's scenarios (one network problem
        each), in grid order."""
        names = [p for p in NETWORK_PARAMS if p in self.vary]
        combos = itertools.product(*(self.vary[p] for p in names))
        grid = [self.network_settings(dict(zip(names, c, strict=True))) for c in combos]
        unique = {json.dumps(g, sort_keys=True): g for g in grid}
        return list(unique.values())

    def network_max_distance_m(self) -> float:
        """The reach to build the base problem with (the largest of base and swept values)."""
        base = float(self.base.network.max_distance_m)
        return max([base, *self.vary.get("max_distance_m", [])])

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "base": self.base.to_dict(),
            "vary": self.vary,
            "random": {k: v.model_dump(exclude_none=True) for k, v in self.random.items()},
            "draw": self.draw.model_dump(),
            "resilience": self.resilience.model_dump(),
            "size": self.size,
        }


# ---------------------------------------------------------------------------- checks
def _flatten(raw: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for k, v in raw.items():
        name = f"{prefix}{k}"
        is_axis = isinstance(v, dict) and set(v) and set(v) <= (_AXIS_KEYS | _DIST_KEYS)
        if isinstance(v, dict) and not is_axis and "." not in name:
            out += _flatten(v, f"{name}.")
        else:
            out.append((name, v))
    return out


def _check_name(name: str) -> str:
    head, _, sub = name.partition(".")
    if head not in PARAMETERS:
        return f"unknown parameter; sweepable parameters are {sorted(PARAMETERS)}"
    selector = PARAMETERS[head][0]
    if sub and selector is None:
        return f"{head} takes no sub-key (got {sub!r}); write `{head} = ...`"
    if not sub and head == "outage_probability":
        return "name the site kind: outage_probability.hub = ..."
    return ""


def _axis_values(value: Any) -> list[float]:
    if isinstance(value, bool):
        msg = f"expected numbers; got {value!r}"
        raise ValueError(msg)
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, list):
        if not value:
            msg = "an empty list; give at least one value"
            raise ValueError(msg)
        bad = [v for v in value if isinstance(v, bool) or not isinstance(v, int | float)]
        if bad:
            msg = f"expected a list of numbers; got {bad[0]!r}"
            raise ValueError(msg)
        return [float(v) for v in value]
    if isinstance(value, dict):
        if "values" in value:
            return _axis_values(value["values"])
        return _Range.model_validate(value).values()
    msg = f"expected a list, a number or {{start, stop, step|num}}; got {value!r}"
    raise ValueError(msg)


def _dist(value: Any) -> _Dist:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _Dist(choice=[float(value)])
    if isinstance(value, list):
        return _Dist(choice=_axis_values(value))
    if isinstance(value, dict):
        return _Dist.model_validate(value).check()
    msg = f"expected a number or {{uniform|normal|triangular|choice = [...]}}; got {value!r}"
    raise ValueError(msg)


def _domain_text(head: str) -> str:
    lo, hi, open_ = _DOMAIN[head]
    return f"{'>' if open_ else '>='} {lo:g} and <= {hi:g}"


def _outside(head: str, v: float) -> bool:
    lo, hi, open_ = _DOMAIN[head]
    return not math.isfinite(v) or v > hi or (v <= lo if open_ else v < lo)


def _check_values(name: str, values: list[float]) -> list[str]:
    head = name.partition(".")[0]
    if any(not math.isfinite(v) for v in values):
        return ["values must be finite numbers"]
    if not any(_outside(head, v) for v in values):
        return []
    lo, hi, open_ = _DOMAIN[head]
    if hi == 1:
        return [f"values must lie in [0, 1]; got {values}"]
    if any(v <= lo if open_ else v < lo for v in values):
        return [f"values must be {'>' if open_ else '>='} {lo:g}; got {values}"]
    return [f"values must be at most {hi:g} ({_domain_text(head)}); got {values}"]


#: How many standard deviations of a normal draw must lie in the parameter's domain.
_NORMAL_SDS = 4.0


def _clip_to_domain(name: str, v: float) -> float:
    lo, hi, open_ = _DOMAIN[name.partition(".")[0]]
    low = float(np.nextafter(lo, hi)) if open_ else lo
    return float(min(max(v, low), hi))


def _check_support(name: str, dist: _Dist) -> list[str]:
    """The draws of ``dist`` (after its min/max clip) must all be values ``name`` can take."""
    head = name.partition(".")[0]
    lo, hi, open_ = _DOMAIN[head]
    if dist.uniform:
        a, b = dist.uniform
        given = f"uniform = [{a:g}, {b:g}]"
    elif dist.triangular:
        a, b = dist.triangular[0], dist.triangular[2]
        given = f"triangular = [{', '.join(f'{v:g}' for v in dist.triangular)}]"
    elif dist.normal:
        # beyond 4 sd (3 draws in 100,000) a draw is clipped to the domain without a word
        mean, sd = dist.normal
        a, b = mean - _NORMAL_SDS * sd, mean + _NORMAL_SDS * sd
        given = f"normal = [{mean:g}, {sd:g}]"
    else:
        a, b = min(dist.choice or [0.0]), max(dist.choice or [0.0])
        given = "choice = [...]"
    if dist.min is not None:
        a, b = max(a, dist.min), max(b, dist.min)
    if dist.max is not None:
        a, b = min(a, dist.max), min(b, dist.max)
    out = []
    if a < lo or (open_ and a <= lo):
        fix = f"add min = {lo:g}" if not open_ else f"add a min above {lo:g}"
        word = "at or below" if open_ else "below"
        out.append(
            f"{given} can draw values {word} {lo:g}, which {head} cannot take; {fix} (draws "
            "are clipped to it) or narrow the distribution"
        )
    if b > hi:
        out.append(
            f"{given} can draw values above {hi:g}, which {head} cannot take; add max = {hi:g} "
            "(draws are clipped to it) or narrow the distribution"
        )
    return out


def _check_size(vary: dict[str, list[float]], draw: dict[str, Any]) -> list[str]:
    """Refuse a spec of more than :data:`MAX_SCENARIOS` scenarios, counted before expanding."""
    count = draw.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        return []  # the model check below reports it
    grid = math.prod(len(v) for v in vary.values()) if vary else 1
    size = grid * count
    if size <= MAX_SCENARIOS:
        return []
    axes = " x ".join(f"{len(v):,} {k}" for k, v in vary.items())
    shape = f"{axes} x {count:,} draw(s)" if axes else f"{count:,} draw(s)"
    return [
        f"the spec expands to {size:,} scenarios ({shape}); one sweep may have at most "
        f"{MAX_SCENARIOS:,}. Use fewer values or draws, or split it into several specs, each "
        "with its own --out"
    ]


def _check_against_base(base: Scenario, names: list[str]) -> list[str]:
    out = []
    allowed = _PARAMS[base.objective]
    for name in names:
        if name in _OBJECTIVE_PARAMS and name not in allowed:
            users = sorted(o for o, ps in _PARAMS.items() if name in ps)
            out.append(
                f"{name}: the base scenario's objective {base.objective!r} does not use it; "
                f"set objective to one of {users} in the base scenario"
            )
    return out


def _short(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
        return "; ".join(parts)
    return str(exc)


def _report(source: str, problems: list[str]) -> str:
    return "\n".join(
        [f"{source}: {len(problems)} problem(s) in the sweep spec:"]
        + [f"  - {p}" for p in problems]
    )


# ---------------------------------------------------------------------------- expansion
def _stream(*parts: Any) -> np.random.Generator:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).digest()
    return np.random.default_rng([int.from_bytes(digest[i : i + 4], "little") for i in (0, 4, 8)])


def _shock_dicts(values: dict[str, float], sites_out: list[str]) -> list[dict[str, Any]]:
    shocks: list[dict[str, Any]] = []
    for name in sorted(values):
        head, _, sub = name.partition(".")
        v = values[name]
        if head == "yield_factor":
            shocks.append(
                {"kind": "yield_factor", "factor": v, **({"site_kind": sub} if sub else {})}
            )
        elif head == "demand_surge":
            shocks.append(
                {"kind": "demand_surge", "factor": v, **({"area_flag": sub} if sub else {})}
            )
        elif head == "budget_usd":
            shocks.append({"kind": "budget_change", "budget_usd": v})
        elif head == "max_distance_m":
            shocks.append({"kind": "max_distance", "max_distance_m": v})
    if sites_out:
        shocks.append({"kind": "site_outage", "site_ids": sorted(sites_out)})
    return shocks


def expand(
    spec: SweepSpec,
    problem: AllocationProblem,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """The scenario records of ``spec``: one dict per scenario, in a fixed order.

    ``problem`` (the base problem) supplies the sites of each kind for outage draws; an unknown
    site kind is an error naming the kinds that exist. ``progress(done, total)`` is called
    every 1,000 records and at the end.
    """
    if spec.size > MAX_SCENARIOS:  # a spec built around from_dict's check
        raise SweepSpecError(_report(spec.source, _check_size(spec.vary, spec.draw.model_dump())))
    kinds = sorted(set(problem.site_kinds.tolist()))
    attrs = problem.area_attrs
    flags = [
        str(c) for c in attrs.columns if len(attrs) and attrs[c].dropna().isin([True, False]).all()
    ]
    for name in spec.parameters:
        head, _, sub = name.partition(".")
        if head in ("yield_factor", "outage_probability") and sub and sub not in kinds:
            msg = (
                f"{spec.source}: {name}: no site of kind {sub!r} in region "
                f"{problem.name!r}; its site kinds are {kinds}"
            )
            raise SweepSpecError(msg)
        if head == "demand_surge" and sub and sub not in flags:
            msg = (
                f"{spec.source}: {name}: the areas of region {problem.name!r} have no "
                f"true/false column {sub!r}; their true/false columns are {flags}"
            )
            raise SweepSpecError(msg)
    base = spec.base.to_dict()
    base_shocks = base.get("shocks", [])
    base_params = {k: v for k, v in base.get("params", {}).items() if v is not None}
    reach = float(spec.base.network.max_distance_m)
    if "max_distance_m" not in spec.parameters and problem.max_distance_m > reach:
        base_shocks = [*base_shocks, {"kind": "max_distance", "max_distance_m": reach}]
    names = list(spec.vary)
    records: list[dict[str, Any]] = []
    grid = list(itertools.product(*spec.vary.values())) if names else [()]
    for g, combo in enumerate(grid):
        fixed = dict(zip(names, combo, strict=True))
        for d in range(spec.draws):
            values = dict(fixed)
            for pname in sorted(spec.random):
                rng = _stream(spec.draw.seed, fixed, d, pname)
                values[pname] = _clip_to_domain(pname, spec.random[pname].draw(rng))
            sites_out: list[str] = []
            for pname in sorted(p for p in values if p.startswith("outage_probability.")):
                kind = pname.partition(".")[2]
                rng = _stream(spec.draw.seed, fixed, d, pname, "sites")
                ids = problem.site_ids[problem.site_kinds == kind]
                down = rng.random(len(ids)) < values[pname]
                sites_out += [str(s) for s in ids[down]]
            params = dict(base_params)
            params.update({k: v for k, v in values.items() if k in _OBJECTIVE_PARAMS})
            shocks = base_shocks + _shock_dicts(values, sites_out)
            ident = {
                "base": {k: v for k, v in base.items() if k not in _NOT_INPUTS},
                "params": params,
                "shocks": shocks,
                "draw": d,
            }
            network = ""  # the network settings of a spec varying them (its problem's key)
            if spec.varies_network:
                network = json.dumps(spec.network_settings(values), sort_keys=True)
                ident["network"] = network
            sid = (
                "sc-" + hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:12]
            )
            records.append(
                {
                    "scenario_id": sid,
                    "index": len(records),
                    "grid_point": g,
                    "draw": d,
                    **{f"p.{k}": float(v) for k, v in values.items()},
                    "sites_out": ",".join(sorted(sites_out)),
                    "n_sites_out": len(sites_out),
                    "objective": spec.base.objective,
                    "params": json.dumps(params, sort_keys=True),
                    "shocks": json.dumps(shocks, sort_keys=True),
                    "network": network,
                }
            )
            if progress is not None and len(records) % 1000 == 0:
                progress(len(records), spec.size)
    if progress is not None:
        progress(len(records), spec.size)
    return records
