"""Call one of the app's callbacks the way the browser does (a POST to ``/_dash-update-component``;
for an app built with ``Settings(background="off")``, whose plans are solved in the request),
so a test sees exactly what the page would get: the outputs, and the side updates
(``set_props``) of the app's error handler."""

from __future__ import annotations

import json
import warnings
from typing import Any

from equity.estimates import EstimatesWarning

#: The Plan page's controls as a person leaves them before pressing Run the plan.
PLAN_VALUES: dict[str, Any] = {
    "pl-run": 1,
    "session-region": "default",
    "session-runs": [],
    "pl-shown": None,
    "pl-objective": "balanced",
    "pl-period": None,
    "pl-equity-weight": 0.5,
    "pl-budget": None,
    "pl-max-dist": 8,
    "pl-sites-off": [],
    "pl-surge-areas": [],
    "pl-surge-pct": 0,
    "pl-label": "",
    "pl-weeks": 1,
    "pl-max-transfer": None,
    "pl-outage-weeks": [],
}


def call(app: Any, output: str, values: dict[str, Any], changed: str) -> dict[str, Any]:
    """Answer of the callback whose outputs include ``output`` (e.g. ``"pl-status.children"``)
    for the component ``values`` (``{id: value}``, or ``{"id.prop": value}`` where one
    component gives several; pattern-matching ids get none), as if
    ``changed`` (``"id.prop"``, an input of that callback) had just changed: ``{"response": {id: {prop: value}},
    "sideUpdate": ...}`` (``{}`` parts when absent). The HTTP status must be 200."""
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    cid, prop = changed.rsplit(".", 1)
    dep = next(
        d
        for d in deps
        if (f"..{output}" in d["output"] or d["output"] == output)
        and {"id": cid, "property": prop} in d["inputs"]
    )

    def item(d: dict) -> dict | list:
        if d["id"].startswith("{"):
            return []
        value = values.get(f"{d['id']}.{d['property']}", values.get(d["id"]))
        return {**d, "value": value}

    outputs = []
    for o in dep["output"].strip(".").split("..."):
        oid, oprop = o.rsplit(".", 1)
        outputs.append({"id": oid, "property": oprop.split("@")[0]})
    body = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [item(i) for i in dep["inputs"]],
        "state": [item(s) for s in dep["state"]],
        "changedPropIds": [changed],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimatesWarning)  # the page says it in words
        resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[-2000:]
    if resp.status_code == 204:
        return {"response": {}, "sideUpdate": {}}
    out = json.loads(resp.get_data(as_text=True))
    return {"response": out.get("response", {}), "sideUpdate": out.get("sideUpdate", {})}


def plan(app: Any, **values: Any) -> dict[str, Any]:
    """The Plan page's "Run the plan" answer, ``{id: value}`` (``{id: {prop: value}}`` for a
    component given several properties), with :data:`PLAN_VALUES` changed
    by ``values`` (keys with ``_`` for ``-``: ``pl_budget=0``)."""
    given = PLAN_VALUES | {k.replace("_", "-"): v for k, v in values.items()}
    out = call(app, "pl-status.children", given, "pl-run.n_clicks")
    return {
        cid: next(iter(props.values())) if len(props) == 1 else props
        for cid, props in out["response"].items()
    }
