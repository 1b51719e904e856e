"""A callback's outputs, inputs and states written as a few groups, one per property:
``*outs("figure", ids.A, ids.B)`` rather than a line per component."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State


def outs(prop: str, *component_ids: str, **kwargs: Any) -> list[Output]:
    """``Output(cid, prop, **kwargs)`` of each component, in order (a callback's outputs are
    written as a few such groups, one per property, e.g. ``*outs("figure", ids.A, ids.B)``)."""
    return [Output(c, prop, **kwargs) for c in component_ids]


def ins(prop: str, *component_ids: str) -> list[Input]:
    """``Input(cid, prop)`` of each component, in order."""
    return [Input(c, prop) for c in component_ids]


def states(prop: str, *component_ids: str) -> list[State]:
    """``State(cid, prop)`` of each component, in order."""
    return [State(c, prop) for c in component_ids]
