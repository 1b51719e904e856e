"""Ten simulated users run scenarios at once on a loopback server: no errors, no crossed results.

Each user drives the Plan page's run callback over HTTP exactly as the browser does, holding its
own session state (its runs list), and switches a different set of sites off. Every answer must
carry only that user's runs, with that user's parameters and the KPIs those parameters give, and
the tables the server keeps under each run's key must be that run's.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

USERS = 10
RUNS_PER_USER = 3


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(
        url + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def _answer(url: str, body: dict) -> dict:
    """The run callback's answer: at once (background runs off), or, for a background job, by
    polling for it as the page does."""
    import time

    answer = _post(url, body)
    if "cacheKey" not in answer:
        return answer
    poll = f"?cacheKey={answer['cacheKey']}&job={answer['job']}"
    for _ in range(1200):
        time.sleep(0.1)
        req = urllib.request.Request(
            url + "/_dash-update-component" + poll,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            assert resp.status == 200, "the job ended without an answer"
            got = json.loads(resp.read())
        if "response" in got:
            return got
    raise AssertionError("no answer from the background job in 120 s")


def _run_body(dep: dict, *, runs: list, sites_off: list, label: str, n: int) -> dict:
    values = {
        "session-region": "default",
        "session-runs": runs,
        "pl-objective": "balanced",
        "pl-period": None,
        "pl-equity-weight": 0.5,
        "pl-budget": None,
        "pl-max-dist": 8,
        "pl-sites-off": sites_off,
        "pl-surge-areas": [],
        "pl-surge-pct": 0,
        "pl-label": label,
        "pl-weeks": 1,
        "pl-max-transfer": None,
        "pl-outage-weeks": None,
        "pl-shown": None,  # the maps on screen hold no outlines yet: whole figures come back
    }
    state = []
    for s in dep["state"]:
        if s["id"].startswith("{"):  # the yield sliders (pattern-matching ALL): none moved
            state.append({"id": json.loads(s["id"]), "property": s["property"], "value": []})
        else:
            state.append({**s, "value": values[s["id"]]})
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in dep["output"].strip(".").split("...")
    ]
    # the run's trigger: the button's clicks, or (background runs) the store they are copied to
    trigger = dep["inputs"][0]
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{**trigger, "value": n}],
        "state": state,
        "changedPropIds": [f"{trigger['id']}.{trigger['property']}"],
    }


@pytest.mark.slow
@pytest.mark.parametrize("background", ["off", "diskcache"])
def test_ten_users_no_errors_no_crossed_results(tiny_region, tmp_path, background):
    from werkzeug.serving import make_server

    from dashboard.app import Settings, create_app, warm_up

    app = create_app(tiny_region, Settings(background=background, cache_dir=tmp_path))
    warm_up(app)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(url + "/_dash-dependencies", timeout=10) as resp:
            deps = json.loads(resp.read())
        dep = next(d for d in deps if "pl-status.children" in d["output"])
        # user u switches off: nothing, H1, H2, G1, H1+H2, ...: supply left is known by hand
        options = [[], ["H1"], ["H2"], ["G1"], ["H1", "H2"]]
        supply = {"H1": 600.0, "H2": 600.0, "G1": 150.0}

        def user(u: int) -> list:
            runs: list = []
            off = options[u % len(options)]
            for n in range(1, RUNS_PER_USER + 1):
                # a click of its own: two users' identical clicks never share a job
                click = n if background == "off" else 1000 * u + n
                body = _run_body(dep, runs=runs, sites_off=off, label=f"user{u}-run{n}", n=click)
                answer = _answer(url, body)
                runs = answer["response"]["session-runs"]["data"]
                # the same answer draws the run: its KPI cards and both maps, no second request
                got = answer["response"]
                assert {"pl-kpis", "pl-flows-map", "pl-fulfil-map"} <= set(got)
                assert got["pl-shown"]["data"] == "default"
            return runs

        with ThreadPoolExecutor(USERS) as pool:
            results = list(pool.map(user, range(USERS)))
    finally:
        server.shutdown()

    area_ids = tiny_region.areas["area_id"].astype(str)
    for u, runs in enumerate(results):
        off = options[u % len(options)]
        assert [r["label"] for r in runs] == [f"user{u}-run{n}" for n in (1, 2, 3)]
        left = 1350.0 - sum(supply[s] for s in off)
        for r in runs:
            assert r["status"] == "optimal"
            assert r["params"]["sites_off"] == off
            assert r["kpis"]["need_met_kg"] == pytest.approx(left, abs=1e-6)
            assert "flows" not in r  # the tables stay on the server: the store moves kB
            full = app.server.config["FOODSHED_RUNS"].full(r)
            assert full["label"] == r["label"] and full["params"]["sites_off"] == off
            assert not set(full["flows"]["site_id"]) & set(off)
            assert {f["area_id"] for f in full["fulfilment"]} == set(area_ids)
    # a session reaches tables only by the keys it holds: a made-up or another's key gives none
    refs = [r["ref"] for runs in results for r in runs]
    assert len(set(refs)) == USERS * RUNS_PER_USER and all(len(x) >= 20 for x in refs)
    assert app.server.config["FOODSHED_RUNS"].full({"ref": "x" * 22}) is None
