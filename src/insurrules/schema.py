"""The JSON Schema (2020-12) of the case document, as ``insurrules schema case`` prints it.

pydantic writes a union of the schemes' models as ``oneOf`` plus an OpenAPI ``discriminator``;
a JSON Schema validator then reports one useless line (no branch matched) that echoes the whole
document. Here the branches are chosen by ``if``/``then`` on ``scheme``, so every error points at
the field that is wrong, and an unknown scheme is an error on ``scheme`` itself.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["DIALECT", "case_json_schema", "decision_json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _model_schema(model: Any) -> dict[str, Any]:
    schema: dict[str, Any] = model.model_json_schema(ref_template="#/$defs/{model}")
    return schema


def _nullable_schema(schema: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _nullable(schema)
    return result


def _nullable(node: Any) -> Any:
    """``anyOf: [X, null]`` (pydantic's optional field) as a form whose errors point inside X.

    A validator reports a failed ``anyOf`` at the field with "not valid under any of the given
    schemas"; as ``type: [..., "null"]`` (or ``if object then X``) it reports the real field and
    reason (``person.household.rank``: 0 is less than the minimum of 1).
    """
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = options[0] if options[1] == {"type": "null"} else options[1]
        rest = {k: v for k, v in node.items() if k != "anyOf"}
        if set(other) == {"$ref"}:
            return {**rest, "type": ["object", "null"], "if": {"type": "object"}, "then": other}
        if isinstance(other.get("type"), str) and "anyOf" not in other:
            return {**rest, **other, "type": [other["type"], "null"]}
    return node


def case_json_schema() -> dict[str, Any]:
    """The case document's JSON Schema: one ``if``/``then`` branch per scheme."""
    from insurrules.schemes import SCHEMES, scheme_module

    defs: dict[str, Any] = {}
    branches: list[dict[str, Any]] = []
    for scheme in SCHEMES:
        model = scheme_module(scheme).CASE_MODEL
        schema = copy.deepcopy(_model_schema(model))
        defs.update(schema.pop("$defs", {}))
        name = model.__name__
        defs[name] = schema
        branches.append(
            {
                "if": {"properties": {"scheme": {"const": scheme}}, "required": ["scheme"]},
                "then": {"$ref": f"#/$defs/{name}"},
            }
        )
    return _nullable_schema(
        {
            "$schema": DIALECT,
            "title": "Case",
            "description": (
                "An insurrules case document; `scheme` selects the scheme-specific shape. Bounds: "
                "dates 1800-01-01..2100-12-31, counts of records and amounts as stated per field."
            ),
            "type": "object",
            "required": ["scheme", "as_of"],
            "properties": {
                "scheme": {
                    "enum": list(SCHEMES),
                    "description": "the scheme: selects the rules and the shape of the rest",
                },
            },
            "allOf": branches,
            "$defs": defs,
        }
    )


def decision_json_schema() -> dict[str, Any]:
    """The decision document's JSON Schema (2020-12)."""
    from insurrules.models import Decision

    schema = _model_schema(Decision)
    return _nullable_schema({"$schema": DIALECT, **schema})
