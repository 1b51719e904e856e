"""The network over weeks: one week without transfers is today's plan; shelf life, storage,
outages by week and the stock identities; and the optimum against an independent
path-based formulation solved by scipy's linprog."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from equity import FoodshedError
from optimize import AllocationProblem, SiteOutage, YieldFactor, solve
from optimize.network import InWeeks, NetworkProblem, solve_network


@pytest.fixture(scope="module")
def demo_region():
    from equity import Region

    return Region.demo()


# ---------------------------------------------------------------------------- small networks
# sites: 0 garden G1, 1 garden G2, 2 hub H, 3 pantry P; areas: 0, 1, 2
KINDS = ["garden", "garden", "hub", "pantry"]


def small_base(
    *,
    commodities=("greens", "rice"),
    need=None,
    supply=None,
    throughput=(np.inf, np.inf, np.inf, np.inf),
) -> AllocationProblem:
    nc = len(commodities)
    supply = np.zeros((4, nc)) if supply is None else np.asarray(supply, float)
    need = np.zeros((3, nc)) if need is None else np.asarray(need, float)
    # delivery arcs: gardens reach area 0 only; the hub reaches 0 and 1; the pantry 1 and 2
    arcs = [(0, 0, 2000.0), (1, 0, 6000.0), (2, 0, 3000.0), (2, 1, 4000.0), (3, 1, 1000.0)]
    arcs += [(3, 2, 1500.0)]
    s, a, d = map(np.array, zip(*arcs, strict=True))
    return AllocationProblem.from_arrays(
        site_ids=["G1", "G2", "H", "P"],
        site_kinds=KINDS,
        area_ids=["A0", "A1", "A2"],
        commodities=list(commodities),
        supply_kg=supply,
        need_kg=need,
        throughput_kg=np.asarray(throughput, float),
        arc_site=s,
        arc_area=a,
        arc_distance_m=d,
        cost_per_kg_km=0.05,
    )


TRANSFERS = dict(tr_from=[0, 0, 1, 1, 2], tr_to=[2, 3, 2, 3, 3])
TR_DIST = [3000.0, 5000.0, 2500.0, 4000.0, 2000.0]


def weekly(base, T, supply, need, **kw):
    return NetworkProblem.from_problem(
        base,
        weeks=T,
        supply_kg=np.asarray(supply, float),
        need_kg=np.asarray(need, float),
        **kw,
    )


def one_food(T, food):
    """:func:`small_base` with the one commodity ``food``, and zero supply ``S`` (weeks x
    sites x 1) and need ``N`` (weeks x areas x 1) over ``T`` weeks for a test to fill in."""
    return small_base(commodities=(food,)), np.zeros((T, 4, 1)), np.zeros((T, 3, 1))


def rice_two_weeks(supply_kg, need_kg, **kw):
    """Rice only, two weeks: ``supply_kg`` at G1 in week 1, A0 needing ``need_kg`` each week."""
    base, S, N = one_food(2, "rice")
    S[0, 0, 0] = supply_kg
    N[:, 0, 0] = need_kg
    return weekly(base, 2, S, N, **kw)


def stock_identities(sol, problem):
    """Every identity of the stock table, and its agreement with flows and transfers."""
    st = sol.stock
    lhs = st["start_kg"] + st["supplied_kg"] + st["received_kg"] - st["sent_kg"]
    np.testing.assert_allclose(lhs - st["spoiled_kg"], st["end_kg"], atol=1e-6)
    full = st.set_index(["week", "site_id", "commodity"])
    for (w, s, c), row in full.iterrows():
        if w > 1:
            prev = full["end_kg"].get((w - 1, s, c), 0.0)
            assert row["start_kg"] == pytest.approx(prev, abs=1e-6)
    # sent = deliveries + transfers out; received = transfers in
    key = ["week", "site_id", "commodity"]
    q = ["quantity_kg"]
    tr = sol.transfers
    sent = (
        pd.concat([sol.flows[key + q], tr.rename(columns={"from_site_id": "site_id"})[key + q]])
        .groupby(key)["quantity_kg"]
        .sum()
    )
    recv = tr.rename(columns={"to_site_id": "site_id"}).groupby(key)["quantity_kg"].sum()
    m = full[["sent_kg", "received_kg"]].join(sent.rename("sent"), how="outer")
    m = m.join(recv.rename("recv"), how="outer").fillna(0.0)
    np.testing.assert_allclose(m["sent_kg"], m["sent"], atol=1e-6)
    np.testing.assert_allclose(m["received_kg"], m["recv"], atol=1e-6)
    # supplied kg are the problem's supply; nothing is lost or made
    assert full["supplied_kg"].sum() == pytest.approx(problem.supply_kg.sum(), rel=1e-9)
    last = full["end_kg"][full.index.get_level_values("week") == problem.weeks].sum()
    delivered = sol.flows["quantity_kg"].sum()
    assert full["supplied_kg"].sum() == pytest.approx(
        delivered + full["spoiled_kg"].sum() + last, abs=1e-5
    )


# ---------------------------------------------------------------------------- shelf life
@pytest.mark.parametrize(
    ("shelf_days", "need_week", "met"),
    [(7.0, 2, 10.0), (7.0, 3, 0.0), (6.0, 2, 0.0), (6.0, 1, 10.0), (14.0, 3, 10.0)],
    ids=["7d-week2-fed", "7d-week3-not", "6d-week2-not", "6d-week1-fed", "14d-week3-fed"],
)
def test_shelf_life_is_exact(shelf_days, need_week, met):
    # 10 kg supplied at G1 in week 1 only; area A0 needs 10 kg in one week
    base, S, N = one_food(3, "greens")
    S[0, 0, 0] = 10.0
    N[need_week - 1, 0, 0] = 10.0
    p = weekly(base, 3, S, N, shelf_life_days=[shelf_days])
    sol = solve_network(p, "coverage", solver="highs")
    assert sol.kpis["need_met_kg"] == pytest.approx(met, abs=1e-6)
    # what is not delivered spoils once it is too old, or is stock at the end if still good
    end_good = shelf_days >= 7 * 3
    st = sol.stock
    if met == 0:
        assert st["spoiled_kg"].sum() + st.loc[st["week"] == 3, "end_kg"].sum() == (
            pytest.approx(10.0)
        )
        assert (st.loc[st["week"] == 3, "end_kg"].sum() > 0) == end_good
    stock_identities(sol, p)


def test_spoiled_in_the_week_it_expires():
    # greens keeping 10 days, supplied week 1, nobody needs them: good to week 2, spoiled then
    base, S, N = one_food(4, "greens")
    S[0, 0, 0] = 5.0
    p = weekly(base, 4, S, N, shelf_life_days=[10.0])
    sol = solve_network(p, "cost", solver="highs")
    st = sol.stock.set_index("week")
    assert st.loc[1, "end_kg"] == pytest.approx(5.0)
    assert st.loc[2, "spoiled_kg"] == pytest.approx(5.0)
    assert sol.kpis["spoiled_kg"] == pytest.approx(5.0)
    assert sol.kpis["end_stock_kg"] == pytest.approx(0.0)


# ---------------------------------------------------------------------------- transfers, storage
def test_transfer_through_hub_reaches_an_area_the_garden_cannot():
    # A2 is reached only by the pantry; G1 must send to P (directly or via H)
    base, S, N = one_food(1, "rice")
    S[0, 0, 0] = 8.0
    N[0, 2, 0] = 8.0
    none = weekly(base, 1, S, N)
    assert solve_network(none, "coverage", solver="highs").kpis["need_met_kg"] == 0
    p = weekly(base, 1, S, N, tr_distance_m=TR_DIST, **TRANSFERS)
    sol = solve_network(p, "coverage", solver="highs")
    assert sol.kpis["need_met_kg"] == pytest.approx(8.0)
    # cheapest route: G1 -> H (3 km) -> P (2 km) = 5 km, same as G1 -> P (5 km); either way
    # 8 kg * 5 km * 0.03 of transfers and 8 kg * 1.5 km * 0.05 of delivery
    assert sol.kpis["transfer_cost_usd"] == pytest.approx(8 * 5 * 0.03)
    assert sol.kpis["delivery_cost_usd"] == pytest.approx(8 * 1.5 * 0.05)
    assert set(sol.transfers["to_site_id"]) <= {"H", "P"}
    stock_identities(sol, p)


def test_storage_limits_what_is_kept_for_later():
    # rice harvested in week 1 only, needed in week 2; the garden can keep 3 kg
    base, S, N = one_food(2, "rice")
    S[0, 0, 0] = 10.0
    N[1, 0, 0] = 10.0
    p = weekly(base, 2, S, N, storage_kg=[3.0, np.inf, np.inf, np.inf])
    sol = solve_network(p, "coverage", solver="highs")
    assert sol.kpis["need_met_kg"] == pytest.approx(3.0)
    st = sol.stock.set_index(["week", "site_id"])
    assert st.loc[(1, "G1"), "spoiled_kg"] == pytest.approx(7.0)  # no room to keep it
    # with transfers the hub (no storage limit) keeps the rest
    p2 = weekly(
        base, 2, S, N, storage_kg=[3.0, np.inf, np.inf, np.inf], tr_distance_m=TR_DIST, **TRANSFERS
    )
    sol2 = solve_network(p2, "coverage", solver="highs")
    assert sol2.kpis["need_met_kg"] == pytest.approx(10.0)
    stock_identities(sol2, p2)
    # the storage dual explains the limit in kg of need met
    b = sol.binding
    row = b[(b["constraint"] == "storage") & (b["site_id"] == "G1")]
    assert len(row) == 1 and row["week"].iloc[0] == 1
    assert (
        "storage at Site G1 in week 1 would feed about 1.00 kg more need"
        in (row["explanation"].iloc[0])
        or "storage at G1 in week 1 would feed about 1.00 kg more need"
        in (row["explanation"].iloc[0])
    )


@pytest.mark.parametrize("solver", ["highs", "cbc", "pulp"])
def test_stock_identities_hold_to_a_microgram_with_every_backend(solver):
    # tonnes of food with odd digits: CBC's solution file (PuLP's CBC too) prints 8
    # significant digits, so its columns are off by up to ~1e-3 kg; the tables still balance
    from optimize.backends import get_backend

    if not get_backend(solver).available():
        pytest.skip(f"{solver} is not available here")
    base = small_base()
    S = np.zeros((3, 4, 2))
    S[:, 0] = [123456.789123, 98765.4321987]  # G1: greens, rice every week
    S[0, 1] = [87654.3219876, 65432.1987654]  # G2: week 1 only
    N = np.zeros((3, 3, 2))
    N[:, 0] = [54321.1234567, 43210.9876543]
    N[:, 1] = [76543.2198765, 32109.8765432]
    N[:, 2] = [33333.3333333, 22222.2222222]
    p = weekly(
        base,
        3,
        S,
        N,
        shelf_life_days=[10.0, np.nan],
        storage_kg=[12345.6789, np.inf, np.inf, 45678.9123],
        tr_distance_m=TR_DIST,
        shocks=[InWeeks(SiteOutage(("H",)), (2,))],
        **TRANSFERS,
    )
    sol = solve_network(p, "cost", solver=solver, unmet_penalty_usd_per_kg=3.0)
    assert sol.ok and len(sol.transfers) > 0 and sol.kpis["end_stock_kg"] > 0
    stock_identities(sol, p)
    ref = solve_network(p, "cost", solver="highs", unmet_penalty_usd_per_kg=3.0)
    assert sol.kpis["need_met_kg"] == pytest.approx(ref.kpis["need_met_kg"], rel=1e-7)


def reach_line(throughput=None):
    """Areas A 0, B 4000, C 8000 m needing 2 kg of veg each week; garden G at 0 m grows 10
    kg a week and reaches A only (2.5 km reach); pantry P at 6000 m has no food of its own and
    reaches B and C; G may send to P (6 km) when transfers go 7 km."""
    from tests.helpers import line_region

    return line_region(
        {"A": 0, "B": 4000, "C": 8000},
        {"G": 0, "P": 6000},
        [("G", "veg", 10.0)],
        [(a, "veg", 2.0) for a in "ABC"],
        kinds={"G": "garden", "P": "pantry"},
        throughput=throughput,
    )


@pytest.mark.parametrize(
    ("transfer_m", "shocks", "throughput", "unreachable", "worst_reachable"),
    [
        (None, [], None, 4, 1.0),  # P has nothing: B and C out of reach both weeks
        (5000, [], None, 4, 1.0),  # transfers up to 5 km: P (6 km from G) gets nothing
        (7000, [], None, 0, 1.0),  # G's food reaches P: every area-week
        # G shut in week 1: it hands out and sends nothing, so P has nothing that week either
        (7000, [InWeeks(SiteOutage(("G",)), (1,))], None, 3, 1.0),
        (7000, [], {"G": 0.0}, 6, None),  # G can move nothing: nobody is reached
    ],
    ids=["no-transfers", "too-far", "transfers", "grower-shut-week-1", "grower-no-throughput"],
)
def test_reach_counts_only_sites_that_can_supply(
    transfer_m, shocks, throughput, unreachable, worst_reachable
):
    region = reach_line(throughput)
    p = NetworkProblem.from_region(
        region, weeks=2, max_distance_m=2500, max_transfer_m=transfer_m, shocks=shocks
    )
    sol = solve_network(p, "maxmin", solver="highs")
    assert sol.ok
    assert sol.kpis["area_weeks_unreachable"] == unreachable
    worst = sol.kpis["min_fulfilment_area_week_reachable"]
    if worst_reachable is None:
        assert np.isnan(worst)
    else:  # every area-week that can be reached gets all its 2 kg
        assert worst == pytest.approx(worst_reachable)
    # one week without transfers agrees with the single-period problem's reach
    if transfer_m is None and not shocks:
        one = AllocationProblem.from_region(region, max_distance_m=2500)
        assert one.reachable_areas().tolist() == [True, False, False]


def test_outage_in_one_week_only():
    base, S, N = one_food(3, "rice")
    S[:, 3, 0] = 5.0  # the pantry has 5 kg every week
    N[:, 2, 0] = 5.0
    p = weekly(base, 3, S, N, shocks=[InWeeks(SiteOutage(("P",)), (2,))])
    assert p.site_open[:, 3].tolist() == [True, False, True]
    sol = solve_network(p, "coverage", solver="highs")
    by_week = sol.kpis_by_week.set_index("week")["need_met_kg"]
    # week 2 the pantry is shut: its week-2 rice waits and feeds week 3 (10 kg there, need 5)
    assert by_week.tolist() == pytest.approx([5.0, 0.0, 5.0])
    st = sol.stock.set_index(["week", "site_id"])
    assert st.loc[(2, "P"), "end_kg"] == pytest.approx(5.0)
    assert sol.kpis["end_stock_kg"] == pytest.approx(5.0)
    stock_identities(sol, p)


def test_in_weeks_checks_its_weeks():
    with pytest.raises(FoodshedError, match="week numbers"):
        InWeeks(SiteOutage(("P",)), (0,))
    base = small_base(commodities=("rice",))
    with pytest.raises(FoodshedError, match="go past the plan's 2 week"):
        NetworkProblem.from_problem(base, weeks=2, shocks=[InWeeks(SiteOutage(("P",)), (3,))])
    with pytest.raises(FoodshedError, match="weeks must be a whole number"):
        NetworkProblem.from_problem(base, weeks=0)


def test_maxmin_over_area_week_or_area():
    # A0 is fed in week 1 only, A1 in week 2 only: each area gets half its need over two
    # weeks, but each has a week with nothing
    base, S, N = one_food(2, "rice")
    S[0, 0, 0] = 10.0  # G1 reaches A0 only, week 1
    S[1, 3, 0] = 10.0  # P reaches A1/A2, week 2
    N[:, 0, 0] = 10.0
    N[:, 1, 0] = 10.0
    p = weekly(base, 2, S, N, shelf_life_days=[3.0])
    aw = solve_network(p, "maxmin", solver="highs", maxmin_over="area_week")
    ar = solve_network(p, "maxmin", solver="highs", maxmin_over="area")
    assert aw.kpis["min_fulfilment_area_week"] == pytest.approx(0.0, abs=1e-7)
    assert ar.kpis["min_fulfilment"] == pytest.approx(0.5)


# ---------------------------------------------------------------------------- one week = today
@pytest.mark.parametrize("objective", ["cost", "maxmin", "fair_share"])
def test_one_week_without_transfers_is_todays_plan_on_random(objective):
    from .test_backends import random_problem

    base = random_problem(11, ns=6, na=12, nc=3)
    a = solve(base, objective, solver="highs")
    b = solve_network(NetworkProblem.from_problem(base), objective, solver="highs")
    assert b.objective_value == pytest.approx(a.objective_value, rel=1e-6, abs=1e-6)
    for k in ("need_met_kg", "transport_cost_usd", "min_fulfilment", "kg_delivered"):
        assert b.kpis[k] == pytest.approx(a.kpis[k], rel=1e-6, abs=1e-6), k


@pytest.mark.parametrize("objective", ["cost", "maxmin"])
def test_one_week_without_transfers_is_todays_plan_on_demo(demo_region, objective):
    base = AllocationProblem.from_region(demo_region)
    a = solve(base, objective, solver="highs")
    b = solve_network(NetworkProblem.from_region(demo_region), objective, solver="highs")
    assert b.objective_value == pytest.approx(a.objective_value, rel=1e-7)
    key = ["site_id", "area_id", "commodity", "need_commodity"]
    fa = a.flows.groupby(key)["quantity_kg"].sum()
    fb = b.flows.groupby(key)["quantity_kg"].sum()
    for k in ("need_met_kg", "transport_cost_usd", "min_fulfilment", "gini_fulfilment"):
        assert b.kpis[k] == pytest.approx(a.kpis[k], rel=1e-6), k
    if objective == "cost":  # a unique optimum here: the same flows (maxmin has ties)
        pd.testing.assert_series_equal(fa, fb, atol=1e-6)
    assert b.manifest["stage_objectives"] == pytest.approx(a.manifest["stage_objectives"])
    assert (b.flows["week"] == 1).all()
    assert b.transfers.empty


# ---------------------------------------------------------------------------- against linprog
def path_model(base, T, S, N, shelf, storage, tr, tr_dist, tr_cost, site_open, pen):
    """Independent formulation: one column per *path* a kg can take (supplied at a site in a
    week, up to two transfers, delivered to an area in a week no older than its shelf life),
    written with loops from the model's description; storage counts the paths that sit at a
    site at the end of a week."""
    ns, nc = S.shape[1], S.shape[2]
    na = N.shape[1]
    out_arcs = {s: [(e, t) for e, (f, t) in enumerate(tr) if f == s] for s in range(ns)}
    deliver = {
        s: [k for k in range(len(base.arc_site)) if base.arc_site[k] == s] for s in range(ns)
    }
    cols = []  # (origin s, c, v, events [(site, week, kind, e|k)], cost, deliver (a, w), weight)

    def extend(site, week_min, c, v, hops, events, cost):
        for w in range(week_min, T):
            if 7 * (w - v) > shelf[c]:
                break
            if not site_open[w, site]:
                continue
            for k in deliver[site]:
                a = base.arc_area[k]
                dc = base.arc_distance_m[k] / 1000 * base.cost_per_kg_km
                cols.append((c, v, events + [(site, w, "out")], cost + dc, (a, w), k))
            if hops < 2:
                for e, t in out_arcs[site]:
                    if not site_open[w, t]:
                        continue
                    ev = events + [(site, w, "out"), (t, w, "in")]
                    extend(t, w, c, v, hops + 1, ev, cost + tr_dist[e] / 1000 * tr_cost)

    for v, s, c in itertools.product(range(T), range(ns), range(nc)):
        if S[v, s, c] > 0:
            extend(s, v, c, v, 0, [(s, v, "in")], 0.0)
    nx = len(cols)
    u_idx = [(w, a, c) for w in range(T) for a in range(na) for c in range(nc) if N[w, a, c] > 0]
    n = nx + len(u_idx)
    A_ub, b_ub, A_eq, b_eq = [], [], [], []
    for v, s, c in itertools.product(range(T), range(ns), range(nc)):
        if S[v, s, c] > 0:
            row = np.zeros(n)
            for i, col in enumerate(cols):
                if col[0] == c and col[1] == v and col[2][0][0] == s:
                    row[i] = 1
            A_ub.append(row)
            b_ub.append(S[v, s, c])
    for s, w in itertools.product(range(ns), range(T)):
        if np.isfinite(base.throughput_kg[s]):
            row = np.zeros(n)
            for i, col in enumerate(cols):
                row[i] = sum(1 for ev in col[2] if ev[0] == s and ev[1] == w and ev[2] == "out")
            A_ub.append(row)
            b_ub.append(base.throughput_kg[s])
        if np.isfinite(storage[s]):
            # at the end of week w a path sits at s if it came in at or before w and leaves after
            row = np.zeros(n)
            for i, col in enumerate(cols):
                ev = col[2]
                for j in range(0, len(ev), 2):
                    site, w_in = ev[j][0], ev[j][1]
                    w_out = ev[j + 1][1]
                    if site == s and w_in <= w < w_out:
                        row[i] = 1
            A_ub.append(row)
            b_ub.append(storage[s])
    for j, (w, a, c) in enumerate(u_idx):
        row = np.zeros(n)
        for i, col in enumerate(cols):
            if col[4] == (a, w) and col[0] == c:
                row[i] = 1
        row[nx + j] = 1
        A_eq.append(row)
        b_eq.append(N[w, a, c])
    cost = np.array([col[3] for col in cols] + [pen] * len(u_idx))
    return cost, np.array(A_ub), np.array(b_ub), np.array(A_eq), np.array(b_eq), nx, u_idx


def path_case(seed):
    """A random three-week case (greens that keep this week, lettuce a week, rice that keeps;
    storage, throughput, the hub out in week 2) as a network problem and as the path-based
    model, with linprog's least cost at an unmet penalty of 3 USD/kg."""
    rng = np.random.default_rng(seed)
    T = 3
    shelf = np.array([6.0, 10.0, 400.0])  # greens: this week; lettuce: a week; rice: keeps
    S = np.zeros((T, 4, 3))
    S[:, :2, :] = rng.integers(0, 12, size=(T, 2, 3))
    S[:, 2, 2] = rng.integers(0, 15, size=T)  # the hub gets rice donations
    N = rng.integers(0, 10, size=(T, 3, 3)).astype(float)
    storage = np.array([np.inf, 4.0, 12.0, 6.0])
    thr = (np.inf, np.inf, 25.0, 14.0)
    base = small_base(commodities=("greens", "lettuce", "rice"), throughput=thr)
    shocks = [InWeeks(SiteOutage(("H",)), (2,))]
    p = weekly(
        base,
        T,
        S,
        N,
        shelf_life_days=shelf,
        storage_kg=storage,
        tr_distance_m=TR_DIST,
        shocks=shocks,
        **TRANSFERS,
    )
    tr = list(zip(TRANSFERS["tr_from"], TRANSFERS["tr_to"], strict=True))
    pen = 3.0
    model = path_model(base, T, S, N, shelf, storage, tr, TR_DIST, 0.03, p.site_open, pen)
    cost, A_ub, b_ub, A_eq, b_eq, _, _ = model
    ref = linprog(cost, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs")
    assert ref.status == 0
    return p, N, pen, model, ref


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cost_and_maxmin_against_linprog_paths(seed):
    p, N, pen, (cost, A_ub, b_ub, A_eq, b_eq, nx, u_idx), ref = path_case(seed)
    sol = solve_network(p, "cost", solver="highs", unmet_penalty_usd_per_kg=pen)
    unmet = sol.unmet["unmet_kg"].sum()
    ours = sol.kpis["transport_cost_usd"] + pen * unmet
    assert ours == pytest.approx(ref.fun, rel=1e-6, abs=1e-6)
    stock_identities(sol, p)
    # maxmin (area-week): maximise t <= fulfilment of every area-week with need
    groups = sorted({(w, a) for w, a, _ in u_idx})
    n = len(cost) + 1
    rows, rhs = [], []
    for w, a in groups:
        nd = N[w, a].sum()
        row = np.zeros(n)
        for j, (w2, a2, _) in enumerate(u_idx):
            if (w2, a2) == (w, a):
                row[nx + j] = 1 / nd
        row[-1] = 1
        rows.append(row)
        rhs.append(1.0)
    c2 = np.zeros(n)
    c2[-1] = -1
    Aub = np.vstack([np.hstack([A_ub, np.zeros((len(A_ub), 1))]), rows])
    ref2 = linprog(
        c2,
        A_ub=Aub,
        b_ub=np.r_[b_ub, rhs],
        A_eq=np.hstack([A_eq, np.zeros((len(A_eq), 1))]),
        b_eq=b_eq,
        bounds=[(0, None)] * (n - 1) + [(0, 1)],
        method="highs",
    )
    assert ref2.status == 0
    mm = solve_network(p, "maxmin", solver="highs")
    assert mm.kpis["min_fulfilment_area_week"] == pytest.approx(-ref2.fun, abs=1e-7)
    # coverage: least unmet need
    c3 = np.r_[np.zeros(nx), np.ones(len(u_idx))]
    ref3 = linprog(c3, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs")
    cov = solve_network(p, "coverage", solver="highs")
    # (the cost stage may use the need-met stage's tolerance: 1e-7 relative plus 1e-6 kg)
    assert N.sum() - cov.kpis["need_met_kg"] == pytest.approx(ref3.fun, rel=2e-7, abs=2e-6)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cost_by_cbc_rounds_against_linprog_paths(seed, monkeypatch):
    # CBC solves on the cheapest delivery per area, week and need commodity, then prices the
    # rest in (optimize.backends._cbc_rounds): the optimum is still the whole LP's
    import optimize.network as net
    from optimize.backends import get_backend

    if not get_backend("cbc").available():
        pytest.skip("no CBC binary here")
    monkeypatch.setattr(net, "FIRST_DELIVERIES", 1)
    p, _, pen, _, ref = path_case(seed)
    sol = solve_network(p, "cost", solver="cbc", unmet_penalty_usd_per_kg=pen)
    assert "rounds" in sol.message
    ours = sol.kpis["transport_cost_usd"] + pen * sol.unmet["unmet_kg"].sum()
    assert ours == pytest.approx(ref.fun, rel=1e-6, abs=1e-5)
    stock_identities(sol, p)


# ---------------------------------------------------------------------------- demo, four weeks
def test_demo_four_weeks_with_transfers_and_outage(demo_region):
    p = NetworkProblem.from_region(
        demo_region,
        weeks=2,
        max_transfer_m=6000,
        shocks=[InWeeks(SiteOutage(("H037",)), (2,)), InWeeks(YieldFactor(0.5), (2,))],
    )
    assert p.site_open[:, list(p.base.site_ids).index("H037")].tolist() == [True, False]
    assert p.supply_kg[1].sum() == pytest.approx(0.5 * p.supply_kg[0].sum())
    sol = solve_network(p, "cost", solver="highs")
    assert sol.ok
    stock_identities(sol, p)
    by_cbc = solve_network(p, "cost")  # automatic: CBC on the cheapest deliveries, pricing
    assert by_cbc.solver.startswith("cbc") and "rounds" in by_cbc.message
    assert by_cbc.objective_value == pytest.approx(sol.objective_value, rel=1e-7)
    stock_identities(by_cbc, p)
    f = sol.flows
    assert not ((f["site_id"] == "H037") & (f["week"] == 2)).any()
    assert len(sol.transfers) > 0
    assert set(sol.kpis_by_week["week"]) == {1, 2}
    # callaloo keeps 4 days: none of week 1's is handed on in week 2
    st = sol.stock[sol.stock["commodity"] == "callaloo"]
    assert st.loc[st["week"] == 1, "end_kg"].sum() == 0


def test_demo_maxmin_from_clp_rounds_is_the_plan_from_the_whole_lp(demo_region):
    # the automatic maxmin starts HiGHS from Clp's basis found on the cheapest deliveries and
    # rounds of pricing; HiGHS certifies each stage and breaks ties canonically, so the plan
    # is the one started from Clp's basis of the whole weighted LP
    from optimize.backends import get_backend

    if not get_backend("cbc").available():
        pytest.skip("no CBC binary here")
    p = NetworkProblem.from_region(demo_region, weeks=2, max_transfer_m=6000)
    a = solve_network(p, "maxmin", solver_options={"warm_start": False})
    b = solve_network(p, "maxmin", solver_options={"warm_start": False, "first_columns": None})
    assert "clp_solve" in a.times_s and "clp_solve" in b.times_s  # both started from Clp
    assert a.manifest["stage_objectives"] == pytest.approx(b.manifest["stage_objectives"], rel=1e-7)
    for k in ("need_met_kg", "transport_cost_usd", "min_fulfilment_area_week"):
        assert a.kpis[k] == pytest.approx(b.kpis[k], rel=1e-7, abs=1e-7), k
    stock_identities(a, p)


# ---------------------------------------------------------------------------- rolling re-plans
def test_rolling_plan_pays_for_not_knowing_the_outage():
    from optimize.rolling import plan_rolling, revealed_shocks

    # 10 kg of rice at G1 in week 1; A0 needs 5 kg in each of two weeks; G1 is out in week 2.
    # Knowing it, week 1 sends 5 kg to the hub (which also reaches A0) for week 2; not knowing
    # it, week 1 keeps them at G1 (cheaper), and they are stuck there in week 2.
    p = rice_two_weeks(10.0, 5.0, tr_distance_m=TR_DIST, **TRANSFERS)
    out = InWeeks(SiteOutage(("G1",)), (2,))
    assert revealed_shocks([out], 1) == []
    assert revealed_shocks([out], 2) == [out]
    res = plan_rolling(p, [out], "cost", solver="highs", unmet_penalty_usd_per_kg=3.0)
    assert res.foresight.kpis["need_met_kg"] == pytest.approx(10.0)
    assert res.rolling.kpis["need_met_kg"] == pytest.approx(5.0)
    v = res.value_of_foresight.set_index("kpi")
    assert v.loc["need_met_kg", "gain"] == pytest.approx(5.0)
    assert list(res.replans["week"]) == [1, 2]
    # the rolling plan carried out week 1 as planned then, and its stock adds up
    assert res.rolling.transfers.empty
    assert not res.foresight.transfers.empty
    stock_identities(res.rolling, p.with_shocks([out]))


def test_rolling_without_shocks_is_the_plan():
    from optimize.rolling import plan_rolling

    base = small_base(commodities=("greens", "rice"))
    rng = np.random.default_rng(5)
    S = np.zeros((3, 4, 2))
    S[:, :2, :] = rng.integers(0, 10, size=(3, 2, 2))
    N = rng.integers(0, 8, size=(3, 3, 2)).astype(float)
    p = weekly(base, 3, S, N, shelf_life_days=[6.0, 400.0], tr_distance_m=TR_DIST, **TRANSFERS)
    res = plan_rolling(p, [], "cost", solver="highs", unmet_penalty_usd_per_kg=2.0)
    # with nothing to reveal, each re-plan keeps to an optimal plan (the rest of an optimal
    # plan is optimal for the rest): the same objective, nothing gained by foresight
    assert res.rolling.objective_value == pytest.approx(res.foresight.objective_value, rel=1e-7)
    gain = res.value_of_foresight.set_index("kpi")["gain"]
    assert gain["need_met_kg"] == pytest.approx(0.0, abs=1e-6)
    assert res.rolling.kpis["need_met_kg"] > 0


def test_no_plan_reports_no_stock_and_every_need_unmet():
    from optimize._lp import SolveStatus
    from optimize._network_solution import build_network_solution
    from optimize.solution import SolveRun

    p = rice_two_weeks(4.0, 3.0)
    sol = build_network_solution(
        p,
        None,
        None,
        SolveRun(
            status=SolveStatus.NO_SOLUTION,
            objective="cost",
            objective_value=None,
            solver="highs",
            times_s={},
            manifest={},
            unit="",
            params={},
        ),
    )
    assert not sol.ok and sol.stock.empty and sol.flows.empty
    # no plan, no plan figures (NaN, as for one period); the unmet table still holds the need
    assert np.isnan(sol.kpis["need_met_kg"]) and sol.kpis["need_kg"] == pytest.approx(6.0)
    assert sol.unmet["unmet_kg"].sum() == pytest.approx(6.0)


def test_least_in_groups_takes_the_cheapest_of_each_group_ties_to_the_earlier():
    from optimize.network import _least_in_groups

    group = np.array([3, 0, 3, 3, 0, 3, 70000, 3])
    key = np.array([5.0, 1.0, 2.0, 2.0, np.inf, 9.0, 4.0, 1.0])
    # group 3: keys 5, 2, 2, 9, 1 at elements 0, 2, 3, 5, 7 -> 1 (7), 2 (2), 2 (3)
    assert np.flatnonzero(_least_in_groups(group, key, 3)).tolist() == [1, 2, 3, 4, 6, 7]
    assert np.flatnonzero(_least_in_groups(group, key, 1)).tolist() == [1, 6, 7]
    assert not _least_in_groups(group[:0], key[:0], 3).any()
