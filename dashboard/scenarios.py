"""Scenarios: the scenario TOML files, the Plan page's menu and controls for them, and
scenarios solved for the reports and the ``foodshed`` command.

:func:`scenario_files` is the one scenario discovery (the Plan page's menu and ``foodshed
demo``), :func:`list_scenarios` the menu, :func:`scenario_controls` a file's settings as the Plan
page's control values (and notes on what the controls cannot show); :func:`load_scenario`,
:func:`region_of`, :func:`solve` and :func:`plan_rolling` run a file as the command and the
batch reports do.

Part of the dashboard's one door into ``equity`` and ``optimize``: :mod:`dashboard.services`
re-exports every public name here, and callers import them from there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from equity import FoodshedError, Region
from optimize.catalogue import describe_shock, kpi_info

if TYPE_CHECKING:
    from optimize import AllocationSolution, Scenario


# ---------------------------------------------------------------------- scenario files
def bundled_scenarios_dir() -> Path:
    """The folder of scenario TOML files that ship with ``optimize`` (for the demo region)."""
    import optimize

    return Path(optimize.__file__).resolve().parent / "scenarios"


def scenario_files(folder: str | os.PathLike[str] | None) -> list[Path]:
    """The scenario TOML files in ``folder`` (not its subfolders), by name: the one scenario
    discovery of the Plan page's menu and ``foodshed demo``. None or no folder: none."""
    base = Path(folder) if folder else None
    if base is None or not base.is_dir():
        return []
    return sorted(p for p in base.glob("*.toml") if p.is_file())


def list_scenarios(folder: Any, region: Region | None = None) -> list[dict[str, str]]:
    """Dropdown options ``{label, value}`` for the scenario TOML files in ``folder``.

    With ``region``, files whose site outages name sites the region lacks are left out.
    """
    import optimize

    out: list[dict[str, str]] = []
    for path in scenario_files(folder):
        try:
            sc = optimize.Scenario.from_toml(path)
        except (FoodshedError, ValueError, OSError):
            continue  # a broken file is for `foodshed allocate` to explain, not this list
        if region is not None:
            known = set(region.sites["site_id"].astype(str))
            named = {i for sh in sc.shocks for i in (getattr(sh, "site_ids", None) or [])}
            if not named <= known:
                continue
        label = sc.name.replace("_", " ")
        if sc.description:
            label += f": {sc.description}"
        out.append({"label": label, "value": str(path)})
    return out


def scenario_controls(path: Any, region: Region) -> dict[str, Any]:
    """Plan-page control values for a scenario file, and notes on what the controls cannot show.

    Site outages by id or kind, yield factors by site kind and demand surges (by area ids or an
    area-column rule, resolved to area ids here) map onto the controls; anything else (e.g. a
    yield factor for one commodity) is listed in ``notes`` and not applied.
    """
    import optimize

    sc = optimize.Scenario.from_toml(path)
    sites = region.sites
    areas = region.areas
    out: dict[str, Any] = {
        "label": sc.name.replace("_", " "),
        "objective": sc.objective,
        "period": sc.period if sc.period in region.periods else region.default_period,
        "equity_weight": sc.params.equity_weight if sc.params.equity_weight is not None else 0.5,
        "max_distance_km": (sc.network.max_distance_m or 8000.0) / 1000.0,
        "budget_usd": sc.network.budget_usd,
        "sites_off": [],
        "yield_pct": {},
        "surge_areas": [],
        "surge_pct": 0.0,
        "notes": [],
    }
    hidden = {
        "fair_share_band": sc.params.fair_share_band,
        "unmet_penalty_usd_per_kg": sc.params.unmet_penalty_usd_per_kg,
    }
    for name, value in hidden.items():
        if value is not None:
            param = kpi_info(f"param_{name}")
            out["notes"].append(
                f"{param.label.lower()} {param.format(value)} is not shown in the controls; "
                "the default is used"
            )
    # plans over weeks (optimize.network): the weeks, transfers and outage weeks are controls
    out["weeks"] = sc.weeks
    tr = sc.network.max_transfer_m
    out["max_transfer_km"] = tr / 1000.0 if tr is not None else None
    out["outage_weeks"] = []
    from optimize.network import DEFAULT_TRANSFER_COST_PER_KG_KM

    unshown: dict[str, Any] = {
        "supply_profile": sc.supply_profile,
        "need_profile": sc.need_profile,
        "maxmin_over": sc.params.maxmin_over if sc.params.maxmin_over != "area_week" else None,
        "transfer_cost_per_kg_km": (
            sc.network.transfer_cost_per_kg_km
            if sc.network.transfer_cost_per_kg_km != DEFAULT_TRANSFER_COST_PER_KG_KM
            else None
        ),
    }
    for name, setting in unshown.items():
        if setting is not None:
            out["notes"].append(
                f"{name} = {setting} is not shown in the controls and not applied here (run the "
                "file with `foodshed allocate` for it)"
            )
    if sc.network.roads:
        out["notes"].append(
            f"distances over the roads in {sc.network.roads!r} are not used on this page "
            "(straight lines here)"
        )
    names: dict[str, Any] = {
        "site_names": dict(
            zip(
                sites["site_id"].astype(str),
                sites.get("name", sites["site_id"]).astype(str),
                strict=True,
            )
        ),
        "commodity_names": region.commodity_names,
    }
    outage_weeks: list[int] | None = None  # the weeks of the outages applied (None: none yet)
    for shock in sc.shocks:
        d = shock.model_dump()
        kind = d.get("kind")
        weeks = sorted(d.pop("weeks", None) or [])
        if weeks and kind != "site_outage":
            what = describe_shock(str(kind), {**_shock_settings(d), "weeks": weeks}, **names)
            out["notes"].append(
                f"{what.rstrip('.')}: not applied here (this page applies yields and surges to "
                "every week; run the file with `foodshed allocate` for it)"
            )
            continue
        if kind == "site_outage":
            if outage_weeks is not None and weeks != outage_weeks:
                out["notes"].append(
                    f"a second site outage in other weeks ({weeks or 'every week'}) is not "
                    "applied here: the page switches sites off in one set of weeks"
                )
                continue
            outage_weeks = weeks
            ids = list(d.get("site_ids") or [])
            if d.get("site_kind"):
                ids += sites.loc[sites["kind"] == d["site_kind"], "site_id"].astype(str).tolist()
            out["sites_off"] += ids
            out["outage_weeks"] = [w for w in weeks if w <= sc.weeks]
        elif (
            kind == "yield_factor"
            and d.get("site_kind")
            and not d.get("site_ids")
            and not (d.get("commodities"))
        ):
            out["yield_pct"][d["site_kind"]] = round(100 * float(d["factor"]))
        elif kind == "demand_surge" and not d.get("commodities"):
            ids = list(d.get("area_ids") or [])
            col = d.get("area_column") or d.get("area_flag")
            if col and col in areas.columns:
                sel = areas[col].astype(float)
                keep = sel.notna()
                if d.get("at_least") is not None:
                    keep &= sel >= d["at_least"]
                if d.get("at_most") is not None:
                    keep &= sel <= d["at_most"]
                if d.get("area_flag") and d.get("at_least") is None and d.get("at_most") is None:
                    keep &= sel.astype(bool)
                ids += areas.loc[keep, "area_id"].astype(str).tolist()
            out["surge_areas"] += ids
            out["surge_pct"] = round(100 * (float(d["factor"]) - 1))
        else:
            what = describe_shock(str(kind), _shock_settings(d), **names)
            out["notes"].append(
                f"not shown in the controls and not applied here: {what[:1].lower()}"
                f"{what[1:].rstrip('.')} (run the file with `foodshed allocate` for it)"
            )
    return out


def _shock_settings(d: dict[str, Any]) -> dict[str, Any]:
    """A shock's settings without its ``kind`` (for :func:`optimize.catalogue.describe_shock`)."""
    return {k: v for k, v in d.items() if k != "kind"}


# ---------------------------------------------------------------------- scenarios for the reports and the command
def load_scenario(
    path: str | os.PathLike[str], *, overrides: dict[str, Any] | None = None
) -> Scenario:
    """Read and validate a scenario TOML file (``optimize.Scenario.from_toml``), with the
    settings in ``overrides`` (e.g. the command's ``--objective``) replacing the file's."""
    import optimize

    p = Path(path)
    if not p.is_file():
        msg = f"{p}: no such scenario file; give the path of a .toml scenario"
        raise FoodshedError(msg)
    sc = optimize.Scenario.from_toml(p)
    if overrides:
        sc = optimize.Scenario.from_dict(
            {**sc.to_dict(), **overrides}, source=str(path), base_dir=sc.base_dir
        )
    return sc


def plan_rolling(scenario: Scenario, region: Region) -> Any:
    """Plan a scenario over weeks week by week as its shocks come, and with foresight
    (``optimize.rolling.rolling_scenario``)."""
    from optimize.rolling import rolling_scenario

    return rolling_scenario(scenario, region)


def region_of(scenario: Scenario, cache: dict[str, Region] | None = None) -> Region:
    """The region a scenario runs on, loaded once per distinct folder when ``cache`` is given."""
    key = scenario.region
    if key != "demo" and not Path(key).is_absolute() and scenario.base_dir:
        key = str(Path(scenario.base_dir) / key)
    if cache is not None and key in cache:
        return cache[key]
    region = scenario.load_region()
    if cache is not None:
        cache[key] = region
    return region


def solve(scenario: Scenario, region: Region) -> AllocationSolution:
    """Solve a scenario on ``region`` (``optimize.run_scenario``)."""
    import optimize

    return optimize.run_scenario(scenario, region=region)


def scenario_name(scenario: Scenario | None, fallback: str = "scenario") -> str:
    """The scenario's ``name`` (``fallback`` when there is no scenario)."""
    return scenario.name if scenario is not None else fallback


def scenario_title(scenario: Scenario | str | None, fallback: str = "scenario") -> str:
    """A scenario's name for people: ``hub_outage`` becomes ``Hub outage``."""
    name = scenario if isinstance(scenario, str) else scenario_name(scenario, fallback)
    if " " not in name and ("_" in name or name.islower()):
        name = name.replace("_", " ").replace("-", " ")
        name = name[:1].upper() + name[1:]
    return name


def scenario_description(scenario: Scenario | str | None) -> str:
    if scenario is None or isinstance(scenario, str):
        return ""
    return scenario.description
