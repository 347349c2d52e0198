"""The problem answers in the OpenAPI schema, added once for every operation.

Each operation lists its own success answer (and any problem it documents itself); this adds
the Problem schema for 401, 403, 404 and 422, 409 for writes, and 400 and 413 for every
operation that takes a body (a body that is not JSON, or larger than REQUEST_MAX_MB), so
clients see one error shape everywhere and every status the API gives is documented
(`make fuzz` fails on one that is not).
"""

from __future__ import annotations

from typing import Any

from smertespor.entry.problems import MEDIA_TYPE, Problem

_READ = ("401", "403", "404", "422")
_WRITE = (*_READ, "409")
_BODY = ("400", "413")
_DESCRIPTIONS = {
    "400": "The body could not be read (not JSON, or not the multipart form described).",
    "401": "Not logged in.",
    "403": "The user's role does not allow this.",
    "404": "Not found, or out of the user's scope (no patient data in the body).",
    "409": "Stale write: someone changed the record since it was read.",
    "413": "The request is larger than the server accepts; refused before it is read.",
    "422": "Invalid input; `errors` lists the problems per field.",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["Problem"] = problem_schema
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = _READ if method in {"get", "head", "options"} else _WRITE
            if "requestBody" in operation:
                statuses = (*statuses, *_BODY)
            for status in statuses:
                answer = operation["responses"].setdefault(
                    status, {"description": _DESCRIPTIONS[status]}
                )
                answer["content"] = {MEDIA_TYPE: {"schema": reference}}
    return schema
