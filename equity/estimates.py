"""Documented estimates of need and supply, for a region whose public data has neither.

A county built from public lists (:func:`equity.sources.allegheny_region`) has tracts with
population and sites (gardens, farms, pantries) but no ``commodities``, ``supply`` or ``need``
table, so there is nothing to plan with. :meth:`equity.Region.with_estimates` fills them from the
assumptions in the package file ``equity/estimates.toml`` (each with its source):

- **need**: population x a weekly basket per person by food group, the USDA Dietary Guidelines
  2020-2025 Healthy U.S.-Style pattern at 2,000 calories (17.5 cup-eq of vegetables, 14 of
  fruits, 42 oz-eq of grains, 21 cup-eq of dairy, 38.5 oz-eq of protein foods a week), converted
  to kg as distributed: about 12 kg per person a week. Where the areas carry
  ``food_insecurity_rate`` (0-1), need is that share of the population's basket.
- **supply**, by site kind: gardens and farms grow vegetables, cultivated area (the site's
  ``area_m2``, else a default area) x a cited yield per m2 per season / the season's weeks;
  pantries and hubs hand out their ``throughput_kg`` a week (else a default), split across the
  food groups like the basket.

Quantities are kg per week (commodity unit ``kg``); supply is an in-season week. Every
assumption can be overridden (:func:`estimate_tables`), and the region records which tables are
estimated and how (``region.provenance["estimated"]``, read back by :func:`estimated_inputs`);
plans and reports built on it say so.
"""

from __future__ import annotations

import copy
import functools
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._errors import FoodshedError

if TYPE_CHECKING:
    from .region import Region

__all__ = [
    "ASSUMPTIONS_FILE",
    "EstimatesWarning",
    "assumptions",
    "basket_table",
    "estimate_need",
    "estimate_supply",
    "estimate_tables",
    "estimated_inputs",
]

#: The package file holding the assumptions and their sources.
ASSUMPTIONS_FILE = Path(__file__).with_name("estimates.toml")

_TABLES = ("commodities", "need", "supply")


class EstimatesWarning(UserWarning):
    """A plan is being built on estimated need or supply (see :mod:`equity.estimates`)."""


@functools.cache
def _load() -> dict[str, Any]:
    return tomllib.loads(ASSUMPTIONS_FILE.read_text(encoding="utf-8"))


def assumptions() -> dict[str, Any]:
    """The assumptions of ``equity/estimates.toml`` (a copy: basket, yield, throughput)."""
    return copy.deepcopy(_load())


def _amount(value: Any, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not (math.isfinite(v) and v >= 0):
        msg = f"{what} must be a number >= 0; got {value!r}"
        raise ValueError(msg)
    return v


def basket_table(basket: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The weekly basket per person, one row per food group (a commodity), in kg.

    Parameters
    ----------
    basket
        ``{commodity: kg per person per week}`` replacing the default of that food group, or
        adding a commodity of your own (group ``"other"``); 0 leaves it out of need.

    Returns
    -------
    DataFrame
        ``commodity``, ``name``, ``group``, ``unit`` (``kg``), ``kg_per_unit`` (1),
        ``per_week`` and ``amount_unit`` (the Dietary Guidelines amount), ``kg_per_amount``,
        ``kg_per_person_week`` and ``source`` (``"Dietary Guidelines"`` or ``"override"``).

    Examples
    --------
    >>> round(basket_table()["kg_per_person_week"].sum(), 2)
    11.98
    """
    rows = []
    for key, g in _load()["basket"].items():
        if not isinstance(g, dict):
            continue
        rows.append(
            {
                "commodity": key,
                "name": g["name"],
                "group": key,
                "unit": "kg",
                "kg_per_unit": 1.0,
                "per_week": float(g["per_week"]),
                "amount_unit": g["amount_unit"],
                "kg_per_amount": float(g["kg_per_amount"]),
                "kg_per_person_week": float(g["per_week"]) * float(g["kg_per_amount"]),
                "source": "Dietary Guidelines",
            }
        )
    out = pd.DataFrame(rows)
    for key, value in (basket or {}).items():
        kg = _amount(value, f"basket[{key!r}] (kg per person per week)")
        hit = out["commodity"] == key
        if hit.any():
            out.loc[hit, ["kg_per_person_week", "source"]] = [kg, "override"]
        else:
            row = {
                "commodity": str(key),
                "name": str(key).replace("_", " ").capitalize(),
                "group": "other",
                "unit": "kg",
                "kg_per_unit": 1.0,
                "per_week": np.nan,
                "amount_unit": "",
                "kg_per_amount": np.nan,
                "kg_per_person_week": kg,
                "source": "override",
            }
            out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
    return out


def estimate_need(
    areas: pd.DataFrame,
    basket: pd.DataFrame,
    *,
    food_insecurity_rate: float | None = None,
    food_insecurity_col: str = "food_insecurity_rate",
) -> tuple[pd.DataFrame, str]:
    """Need per area and food group: population x share x the basket's kg per person-week.

    The share is the area's ``food_insecurity_col`` (0-1) where it has one, else
    ``food_insecurity_rate`` when given, else 1 (everyone's whole basket).

    Returns
    -------
    (DataFrame, str)
        The ``need`` table (``area_id``, ``commodity``, ``quantity`` in kg a week; rows of 0
        left out) and a sentence saying how it was estimated.
    """
    if food_insecurity_rate is not None:
        food_insecurity_rate = _amount(food_insecurity_rate, "food_insecurity_rate")
        if food_insecurity_rate > 1:
            msg = f"food_insecurity_rate is a share 0-1; got {food_insecurity_rate!r}"
            raise ValueError(msg)
    pop = pd.to_numeric(areas["population"], errors="coerce").fillna(0).to_numpy(float)
    fallback = 1.0 if food_insecurity_rate is None else food_insecurity_rate
    share = np.full(len(areas), fallback)
    n_rate = 0
    if food_insecurity_col in areas.columns:
        rate = pd.to_numeric(areas[food_insecurity_col], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(np.isfinite(rate) & ((rate < 0) | (rate > 1)))
        if len(bad):
            i = int(bad[0])
            msg = (
                f"`areas` column {food_insecurity_col!r} is a share 0-1, but row {i + 1} "
                f"({areas['area_id'].iloc[i]}) has {rate[i]:g}; give rates as fractions "
                "(0.12, not 12)"
            )
            raise ValueError(msg)
        have = np.isfinite(rate)
        share = np.where(have, rate, share)
        n_rate = int(have.sum())
    kg = basket["kg_per_person_week"].to_numpy(float)
    qty = (pop * share)[:, None] * kg[None, :]
    a_i, c_i = np.nonzero(qty > 0)
    need = pd.DataFrame(
        {
            "area_id": areas["area_id"].astype(str).to_numpy()[a_i],
            "commodity": basket["commodity"].to_numpy()[c_i],
            "quantity": qty[a_i, c_i],
        }
    )
    per = float(kg.sum())
    overridden = basket.loc[basket["source"] == "override", "commodity"].tolist()
    text = (
        f"population x a basket of {per:.2f} kg per person a week ("
        + ", ".join(f"{c} {k:.2f}" for c, k in zip(basket["commodity"], kg, strict=True) if k > 0)
        + "; USDA Dietary Guidelines 2020-2025 Healthy U.S.-Style pattern, 2,000 calories"
        + (f"; overridden: {', '.join(overridden)}" if overridden else "")
        + ")"
    )
    n = len(areas)
    if n_rate == n:
        text += f", scaled by each area's {food_insecurity_col}"
    elif n_rate:
        rest = f"{fallback:g}" if food_insecurity_rate is not None else "1 (the whole basket)"
        text += f", scaled by {food_insecurity_col} in {n_rate} of {n} areas and {rest} in the rest"
    elif food_insecurity_rate is not None:
        text += f", scaled by a food-insecurity rate of {food_insecurity_rate:g} in every area"
    else:
        text += f", for everyone (the areas have no {food_insecurity_col})"
    return need, text


def estimate_supply(
    sites: pd.DataFrame,
    basket: pd.DataFrame,
    *,
    area_m2: Mapping[str, float] | None = None,
    yield_kg_per_m2_season: Mapping[str, float] | None = None,
    season_weeks: float | None = None,
    throughput_kg_per_week: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Supply per site and food group in an in-season week, by site kind.

    Gardens and farms: the site's ``area_m2`` (else ``area_m2[kind]``, default from
    ``estimates.toml``) x ``yield_kg_per_m2_season[kind]`` / ``season_weeks``, all vegetables.
    Pantries and hubs: the site's ``throughput_kg`` (else ``throughput_kg_per_week[kind]``),
    split across the basket's food groups in its proportions by weight.

    Returns
    -------
    (DataFrame, str)
        The ``supply`` table (``site_id``, ``commodity``, ``quantity`` in kg a week; rows of 0
        left out) and a sentence per site kind saying how it was estimated.
    """
    cfg = _load()
    ycfg, tcfg = cfg["yield"], cfg["throughput"]
    weeks = _amount(ycfg["season_weeks"] if season_weeks is None else season_weeks, "season_weeks")
    if weeks <= 0:
        msg = f"season_weeks must be > 0; got {season_weeks!r}"
        raise ValueError(msg)
    areas_d = {k: float(v["default_area_m2"]) for k, v in ycfg.items() if isinstance(v, dict)}
    yields = {k: float(v["kg_per_m2_season"]) for k, v in ycfg.items() if isinstance(v, dict)}
    thr_d = {k: float(v["kg_per_week"]) for k, v in tcfg.items() if isinstance(v, dict)}
    for target, given, what in (
        (areas_d, area_m2, "area_m2"),
        (yields, yield_kg_per_m2_season, "yield_kg_per_m2_season"),
        (thr_d, throughput_kg_per_week, "throughput_kg_per_week"),
    ):
        for kind, value in (given or {}).items():
            target[str(kind)] = _amount(value, f"{what}[{kind!r}]")
    grow_commodity = str(ycfg.get("commodity", "vegetables"))
    kg = basket.set_index("commodity")["kg_per_person_week"]
    mix = kg[kg > 0] / kg[kg > 0].sum() if kg.sum() > 0 else kg
    kinds = sites["kind"].astype(str).to_numpy()
    ids = sites["site_id"].astype(str).to_numpy()

    def column(name: str) -> np.ndarray:
        if name not in sites.columns:
            return np.full(len(sites), np.nan)
        v = pd.to_numeric(sites[name], errors="coerce").to_numpy(float)
        return np.where(np.isfinite(v) & (v > 0), v, np.nan)

    own_area, own_thr = column("area_m2"), column("throughput_kg")
    parts: list[pd.DataFrame] = []
    texts: list[str] = []
    for kind in sorted(set(kinds)):
        at = kinds == kind
        n = int(at.sum())
        if kind in yields:
            if grow_commodity not in set(basket["commodity"]):
                msg = f"gardens grow {grow_commodity!r}, which the basket leaves out"
                raise ValueError(msg)
            own = np.isfinite(own_area[at])
            area = np.where(own, own_area[at], areas_d.get(kind, 0.0))
            week = area * yields[kind] / weeks
            parts.append(
                pd.DataFrame({"site_id": ids[at], "commodity": grow_commodity, "quantity": week})
            )
            where = (
                f"{int(own.sum())} with their own area_m2, {n - int(own.sum())} "
                if own.any()
                else ""
            )
            texts.append(
                f"{kind}: {n} site(s), {where}at {areas_d.get(kind, 0.0):,.0f} m2 (assumed "
                f"area) x {yields[kind]:.3f} kg of {grow_commodity} per m2 per "
                f"{weeks:g}-week season = {areas_d.get(kind, 0.0) * yields[kind] / weeks:,.1f} "
                "kg a week each"
            )
        else:
            own = np.isfinite(own_thr[at])
            default = thr_d.get(kind, 0.0)
            total = np.where(own, own_thr[at], default)
            q = total[:, None] * mix.to_numpy()[None, :]
            s_i, c_i = np.nonzero(q > 0)
            parts.append(
                pd.DataFrame(
                    {
                        "site_id": ids[at][s_i],
                        "commodity": mix.index.to_numpy()[c_i],
                        "quantity": q[s_i, c_i],
                    }
                )
            )
            if own.all():
                how = "their own throughput_kg a week"
            elif default > 0:
                how = (
                    f"{int(own.sum())} their own throughput_kg, the rest " if own.any() else ""
                ) + f"{default:,.0f} kg a week (assumed throughput)"
            else:
                how = (
                    f"{int(own.sum())} their own throughput_kg, the rest nothing"
                    if own.any()
                    else "nothing (no throughput_kg and no default)"
                )
            texts.append(f"{kind}: {n} site(s), {how}, split like the basket")
    supply = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["site_id", "commodity", "quantity"])
    )
    supply = supply[supply["quantity"] > 0].reset_index(drop=True)
    return supply, "an in-season week by site kind: " + "; ".join(texts)


def estimate_tables(
    region: Region,
    *,
    basket: Mapping[str, float] | None = None,
    food_insecurity_rate: float | None = None,
    food_insecurity_col: str = "food_insecurity_rate",
    area_m2: Mapping[str, float] | None = None,
    yield_kg_per_m2_season: Mapping[str, float] | None = None,
    season_weeks: float | None = None,
    throughput_kg_per_week: Mapping[str, float] | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Estimated ``commodities``, ``need`` and ``supply`` tables of ``region``, and a record
    ``{table: how it was estimated}``. Options as :func:`basket_table`, :func:`estimate_need`
    and :func:`estimate_supply`.

    Raises :class:`~equity.FoodshedError` (one sentence) when estimates cannot be made: the
    region already has commodities, has no sites, or no population.
    """
    name = region.name
    if len(region.commodities):
        msg = (
            f"region {name!r} already has {len(region.commodities)} commodities; estimates fill "
            "a region without commodities, supply or need (give it need and supply tables "
            "instead)"
        )
        raise FoodshedError(msg)
    if len(region.sites) == 0:
        msg = (
            f"region {name!r} has no sites, so there is no supply to plan with: add a sites "
            "table (gardens, farms, pantries, hubs)"
        )
        raise FoodshedError(msg)
    if not float(pd.to_numeric(region.areas["population"], errors="coerce").fillna(0).sum()) > 0:
        msg = f"region {name!r} has no population, so there is no need to plan for"
        raise FoodshedError(msg)
    table = basket_table(basket)
    need, need_text = estimate_need(
        region.areas,
        table,
        food_insecurity_rate=food_insecurity_rate,
        food_insecurity_col=food_insecurity_col,
    )
    supply, supply_text = estimate_supply(
        region.sites,
        table,
        area_m2=area_m2,
        yield_kg_per_m2_season=yield_kg_per_m2_season,
        season_weeks=season_weeks,
        throughput_kg_per_week=throughput_kg_per_week,
    )
    commodities = table[["commodity", "name", "group", "unit", "kg_per_unit"]].copy()
    record = {
        "commodities": "the food groups of the USDA Dietary Guidelines basket, in kg",
        "need": need_text,
        "supply": supply_text,
    }
    return {"commodities": commodities, "need": need, "supply": supply}, record


def estimated_inputs(region: Region) -> dict[str, str]:
    """``{table: how it was estimated}`` for the tables of ``region`` that are estimates
    (empty when none is); kept in ``provenance`` so it survives ``to_dir``/``from_dir``."""
    prov = region.provenance
    names = [t.strip() for t in str(prov.get("estimated", "")).split(",") if t.strip()]
    return {t: str(prov.get(f"estimated_{t}", "estimated")) for t in names}


def provenance_of(record: Mapping[str, str]) -> dict[str, str]:
    """The ``provenance`` entries that record ``record`` (flat strings, as ``to_dir`` keeps)."""
    out = {"estimated": ", ".join(t for t in _TABLES if t in record)}
    out.update({f"estimated_{t}": record[t] for t in _TABLES if t in record})
    return out
