"""The multi-week, multi-echelon allocation LP as arrays (no Python loop per variable).

Time runs in weeks ``w = 0..T-1``. Food is tracked as *stock by age*: a node ``(s, c, v, w)``
is commodity ``c`` at site ``s`` in week ``w`` that was supplied (harvested, donated) in week
``v``; its age is ``7 (w - v)`` days and it exists only while that age is at most the
commodity's shelf life, so no kg is ever handed on after its shelf life. Columns, in order:

- ``X[k, p, w]`` deliveries on delivery arc ``k`` (site -> area) of substitution pair ``p`` in
  week ``w`` (as in the single-period model, one column per arc, pair and week);
- ``T[e, c, v, w]`` transfers on transfer arc ``e`` (site -> site) of stock of vintage ``v``;
- ``R[node]`` stock of a node released to the site's deliveries that week;
- ``H[node]`` stock held to the next week (at the last week: stock at the end of the horizon);
- ``D[node]`` stock discarded: forced where the node reaches its shelf life unused (spoiled),
  optional where storage is limited (no room to keep it: also counted as spoiled);
- ``U[w, a, c]`` unmet need.

Rows, in order: node balance (``R + T_out + H + D - H_prev - T_in = supplied``), pool
(``sum X - sum R = 0`` per site, commodity and week), need (``sum weight X + U = need``),
throughput (``sum R + T_out <= throughput`` per site and week), storage (``sum H <=
storage`` per site and week), budget (transport cost of deliveries and transfers per week).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["assemble_network", "usable_deliveries"]


def _ragged(counts: np.ndarray) -> np.ndarray:
    """``concat([arange(n) for n in counts])`` without a loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def _present(supply: np.ndarray, tr_from: np.ndarray, tr_to: np.ndarray) -> np.ndarray:
    """``present[v, s, c]``: stock of commodity ``c`` supplied in week ``v`` can be at site
    ``s`` (supplied there, or reachable from where it was supplied over transfer arcs). One
    sparse product per echelon (at most the number of sites), not per variable."""
    T, ns, nc = supply.shape
    cur = (supply > 0).transpose(1, 0, 2).reshape(ns, T * nc)
    if len(tr_from):
        M = sp.csr_matrix(
            (np.ones(len(tr_from)), (tr_to, tr_from)), shape=(ns, ns)
        )  # M @ present: what arrives
        for _ in range(ns):
            new = cur | ((M @ cur.astype(np.float64)) > 0)
            if (new == cur).all():
                break
            cur = new
    return cur.reshape(ns, T, nc).transpose(1, 0, 2)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def assemble_network(d: dict[str, Any]) -> dict[str, Any]:
    """Columns, rows and the CSC matrix of the network LP from its data arrays ``d`` (the
    data fields of :class:`optimize.network.NetworkProblem`)."""
    supply, need = d["supply_kg"], d["need_kg"]
    T, ns, nc = supply.shape
    na = need.shape[1]
    max_age = d["max_age_weeks"]  # (nc,) int: oldest deliverable age, in weeks
    tr_from, tr_to = d["tr_from"], d["tr_to"]
    arc_site, arc_area = d["arc_site"], d["arc_area"]
    site_open = d["site_open"]  # (T, ns)
    storage, thr = d["storage_kg"], d["throughput_kg"]

    # ---------------------------------------------------------------- nodes (stock by age)
    present = _present(supply, tr_from, tr_to)
    pv, ps, pc = np.nonzero(present)
    n_ages = np.minimum(max_age[pc], T - 1 - pv) + 1
    rep = np.repeat(np.arange(len(pv)), n_ages)
    age = _ragged(n_ages)
    node_s, node_c, node_v = ps[rep], pc[rep], pv[rep]
    node_w = node_v + age
    key = ((node_s * nc + node_c) * T + node_v) * T + node_w
    order = np.argsort(key, kind="stable")
    node_s, node_c, node_v, node_w, age, key = (
        a[order] for a in (node_s, node_c, node_v, node_w, age, key)
    )
    n_node = len(key)

    def node_of(s: np.ndarray, c: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        k = ((s * nc + c) * T + v) * T + w
        pos = np.searchsorted(key, k)
        pos = np.minimum(pos, max(n_node - 1, 0))
        ok = key[pos] == k if n_node else np.zeros(len(k), dtype=bool)
        return np.where(ok, pos, -1)

    can_hold = age < max_age[node_c]  # still deliverable next week
    finite_store = np.isfinite(storage)
    h_node = np.flatnonzero(can_hold)
    d_forced_mask = ~can_hold | (can_hold & finite_store[node_s])
    d_node = np.flatnonzero(d_forced_mask)
    d_forced = ~can_hold[d_node]
    r_node = np.arange(n_node)

    # ---------------------------------------------------------------- pools (site, comm, week)
    pool_key_all = (node_s * nc + node_c) * T + node_w
    pool_key, r_pool = np.unique(pool_key_all, return_inverse=True)
    n_pool = len(pool_key)
    pool_exists = np.zeros(ns * nc * T, dtype=bool)
    pool_exists[pool_key] = True
    pool_exists = pool_exists.reshape(ns, nc, T)

    # ---------------------------------------------------------------- deliveries X
    arc_open = d["arc_open"]  # (T, n_arcs)
    # usable (week, arc, pair) triples; nonzero gives them ordered by week, arc, then pair
    usable = np.zeros((T, len(arc_site), len(d["pair_weight"])), dtype=bool)
    for p, (cs, cn) in enumerate(zip(d["pair_served"], d["pair_need"], strict=True)):
        if d["pair_weight"][p] > 0:
            ok = arc_open & pool_exists[arc_site, cs, :].T & (need[:, arc_area, cn] > 0)
            usable[:, :, p] = ok
    x_week, x_arc, x_pair = (a.astype(np.int64, copy=False) for a in np.nonzero(usable))
    x_site, x_area = arc_site[x_arc], arc_area[x_arc]
    x_served = d["pair_served"][x_pair]
    x_needc = d["pair_need"][x_pair]
    x_w = d["pair_weight"][x_pair]
    x_cost = d["arc_distance_m"][x_arc] / 1000.0 * float(d["cost_per_kg_km"])
    n_x = len(x_arc)

    # ---------------------------------------------------------------- transfers T
    site_start = np.searchsorted(node_s, np.arange(ns))
    site_count = np.searchsorted(node_s, np.arange(ns), side="right") - site_start
    n_e = site_count[tr_from]
    t_arc = np.repeat(np.arange(len(tr_from)), n_e)
    t_from_node = np.repeat(site_start[tr_from], n_e) + _ragged(n_e)
    t_to = tr_to[t_arc]
    t_to_node = node_of(t_to, node_c[t_from_node], node_v[t_from_node], node_w[t_from_node])
    keep = t_to_node >= 0
    t_arc, t_from_node, t_to_node = t_arc[keep], t_from_node[keep], t_to_node[keep]
    t_cost = d["tr_distance_m"][t_arc] / 1000.0 * float(d["transfer_cost_per_kg_km"])
    n_t = len(t_arc)

    # ---------------------------------------------------------------- unmet U
    u_week, u_area, u_comm = np.nonzero(need > 0)
    n_u = len(u_week)

    n_r, n_h, n_d = n_node, len(h_node), len(d_node)
    off_t = n_x
    off_r = off_t + n_t
    off_h = off_r + n_r
    off_d = off_h + n_h
    off_u = off_d + n_d
    n_cols = off_u + n_u

    # ---------------------------------------------------------------- rows
    thr_site = np.flatnonzero(np.isfinite(thr))
    sto_site = np.flatnonzero(finite_store)
    budget = d["budget_usd"]
    n_thr, n_sto = len(thr_site) * T, len(sto_site) * T
    row_node = 0
    row_pool = row_node + n_node
    row_need = row_pool + n_pool
    row_thr = row_need + n_u
    row_sto = row_thr + n_thr
    row_bud = row_sto + n_sto
    n_rows = row_bud + (0 if budget is None else T)

    need_row = np.full((T, na, nc), -1, dtype=np.int64)
    need_row[u_week, u_area, u_comm] = row_need + np.arange(n_u)
    thr_row = np.full((T, ns), -1, dtype=np.int64)
    thr_row[:, thr_site] = row_thr + np.arange(n_thr).reshape(T, len(thr_site))
    sto_row = np.full((T, ns), -1, dtype=np.int64)
    sto_row[:, sto_site] = row_sto + np.arange(n_sto).reshape(T, len(sto_site))
    x_pool = np.searchsorted(pool_key, (x_site * nc + x_served) * T + x_week)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray | float) -> None:
        r = np.asarray(r, dtype=np.int64)
        rows.append(r)
        cols.append(np.asarray(c, dtype=np.int64))
        vals.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape))

    xc = np.arange(n_x)
    add(row_pool + x_pool, xc, 1.0)
    add(need_row[x_week, x_area, x_needc], xc, x_w)
    # transfers: out of the sending node, into the receiving one, throughput at the sender
    tc = off_t + np.arange(n_t)
    add(row_node + t_from_node, tc, 1.0)
    add(row_node + t_to_node, tc, -1.0)
    ts = tr_from[t_arc]
    tw = node_w[t_from_node]
    has = thr_row[tw, ts] >= 0
    add(thr_row[tw, ts][has], tc[has], 1.0)
    # releases
    rc = off_r + r_node
    add(row_node + r_node, rc, 1.0)
    add(row_pool + r_pool, rc, -1.0)
    has = thr_row[node_w, node_s] >= 0
    add(thr_row[node_w, node_s][has], rc[has], 1.0)
    # holds: out of this week's node, into next week's (none after the last week)
    hc = off_h + np.arange(n_h)
    add(row_node + h_node, hc, 1.0)
    nxt = node_w[h_node] + 1 < T
    add(row_node + h_node[nxt] + 1, hc[nxt], -1.0)  # same vintage, next week: next node
    has = sto_row[node_w[h_node], node_s[h_node]] >= 0
    add(sto_row[node_w[h_node], node_s[h_node]][has], hc[has], 1.0)
    # discards
    add(row_node + d_node, off_d + np.arange(n_d), 1.0)
    # unmet
    add(row_need + np.arange(n_u), off_u + np.arange(n_u), 1.0)
    if budget is not None:
        nz = x_cost > 0
        add(row_bud + x_week[nz], xc[nz], x_cost[nz])
        nz = t_cost > 0
        add(row_bud + tw[nz], tc[nz], t_cost[nz])

    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_cols),
    )
    supplied = np.where(age == 0, supply[node_v, node_s, node_c], 0.0)
    need_v = need[u_week, u_area, u_comm]
    row_lo = np.concatenate(
        [
            supplied,
            np.zeros(n_pool),
            need_v,
            np.full(n_thr + n_sto, -np.inf),
            [] if budget is None else np.full(T, -np.inf),
        ]
    )
    row_hi = np.concatenate(
        [
            supplied,
            np.zeros(n_pool),
            need_v,
            np.tile(thr[thr_site], T),
            np.tile(storage[sto_site], T),
            [] if budget is None else np.asarray(budget, dtype=float),
        ]
    )
    col_hi = np.full(n_cols, np.inf)
    # sites switched off in a week hand out, send and receive nothing that week (their stock
    # stays and ages); the columns stay so the structure does not change
    col_hi[off_r + r_node] = np.where(site_open[node_w, node_s], np.inf, 0.0)
    t_ok = site_open[tw, ts] & site_open[tw, tr_to[t_arc]]
    col_hi[tc] = np.where(t_ok, np.inf, 0.0)
    return {
        "node_s": node_s,
        "node_c": node_c,
        "node_v": node_v,
        "node_w": node_w,
        "x_week": x_week,
        "x_arc": x_arc,
        "x_pair": x_pair,
        "x_cost_usd_per_kg": x_cost,
        "t_arc": t_arc,
        "t_from_node": t_from_node,
        "t_to_node": t_to_node,
        "t_cost_usd_per_kg": t_cost,
        "h_node": h_node,
        "d_node": d_node,
        "d_forced": d_forced,
        "u_week": u_week.astype(np.int64),
        "u_area": u_area.astype(np.int64),
        "u_comm": u_comm.astype(np.int64),
        "offsets": {"x": 0, "t": off_t, "r": off_r, "h": off_h, "d": off_d, "u": off_u},
        "row_offsets": {
            "node": row_node,
            "pool": row_pool,
            "need": row_need,
            "throughput": row_thr,
            "storage": row_sto,
            "budget": row_bud,
            "end": n_rows,
        },
        "thr_site": thr_site.astype(np.int64),
        "sto_site": sto_site.astype(np.int64),
        "A": A,
        "row_lo": row_lo.astype(float),
        "row_hi": row_hi.astype(float),
        "col_hi": col_hi,
    }


def usable_deliveries(
    supply: np.ndarray,
    site_open: np.ndarray,
    throughput: np.ndarray,
    storage: np.ndarray,
    max_age: np.ndarray,
    tr_from: np.ndarray,
    tr_to: np.ndarray,
    x_week: np.ndarray,
    x_site: np.ndarray,
    x_served: np.ndarray,
) -> np.ndarray:
    """Per delivery column: True where food can actually be handed out on it after every
    shock (as :attr:`optimize.problem.AllocationProblem.x_usable` in one period): the site is
    open that week with throughput above 0 and can hold good stock of the commodity served.

    Stock of vintage ``v`` can be at site ``s`` in week ``w`` (``7 (w - v)`` days old, within
    shelf life) when it was supplied there (``w = v``, supply after shocks above 0), kept
    from the week before (storage above 0), or sent that week over a transfer arc from a site
    that has it, both ends open and the sender's throughput above 0 (hub -> pantry after
    garden -> hub: one product per echelon). The LP keeps its columns either way (held at 0
    where no food can come); this is what the equity rows and the reach KPIs count."""
    T, ns, nc = supply.shape
    v = np.arange(T)[:, None, None]
    keep_ok = (storage > 0)[None, :, None]
    live = np.zeros((T, T, ns, nc), dtype=bool)  # [v, w, s, c]
    for w in range(T):
        cur = (v == w) & (supply[w] > 0)[None]
        if w:
            cur |= live[:, w - 1] & keep_ok
        cur &= (v <= w) & (w - v <= max_age[None, None, :])
        if len(tr_from):
            ok = site_open[w, tr_from] & site_open[w, tr_to] & (throughput[tr_from] > 0)
            M = sp.csr_matrix((np.ones(int(ok.sum())), (tr_to[ok], tr_from[ok])), shape=(ns, ns))
            flat = cur.transpose(1, 0, 2).reshape(ns, T * nc)
            for _ in range(ns):
                new = flat | ((M @ flat.astype(np.float64)) > 0)
                if (new == flat).all():
                    break
                flat = new
            cur = flat.reshape(ns, T, nc).transpose(1, 0, 2)
        live[:, w] = cur
    pool = np.asarray(live.any(axis=0))  # [w, s, c]
    return site_open[x_week, x_site] & (throughput[x_site] > 0) & pool[x_week, x_site, x_served]
