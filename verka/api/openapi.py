"""Finishing touches on the generated OpenAPI document: every operation lists the problem
responses it can give, as `application/problem+json`."""

from __future__ import annotations

from typing import Any

DESCRIPTION = """\
Verka's REST API: deploy BPMN, DMN and form files, start and query process instances, complete
user tasks, publish messages, and run external job workers in any language.

* Authentication: `Authorization: Bearer <token>`; each operation names the scope it needs.
* Authorisation: a token acts as its owner and reaches what the owner reaches on the web: an
  officer the tasks of their groups and the cases of those processes, the digitalisation team
  everything, a service account only what its grants name (processes, e-services, job types,
  message and signal names, deploy, indicators). Citizens cannot hold tokens. What the owner may
  not see is 404, as if it did not exist; an operation the owner may never do is 403.
* Reads and changes of a case's personal data are written to the access log, with the token.
* Errors: RFC 7807 problem JSON (`application/problem+json`) with field errors.
* Lists: cursor pagination; pass the `next` value of a page as `cursor` for the following one.
* Creating requests accept an `Idempotency-Key` header.
* Job workers: at-least-once delivery, so workers must be idempotent.

The guide is docs/api.md in the Verka repository.
"""

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 7807 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "urn:verka:problem:<kind>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "problems": {"type": "array", "items": {"type": "string"}},
        "requiredScope": {"type": "string"},
    },
}

_COMMON = {
    "400": "Invalid request (field errors in `errors`)",
    "401": "Missing, unknown, expired or revoked token",
    "403": "The token lacks the scope this operation needs, its owner is a citizen, or its "
    "owner may not do this operation (not granted, or an officer's token on Operations' work)",
    "404": "No such resource, or none the token's owner may see",
    "405": "Method not allowed",
    "409": "Rejected by the process engine (the reason is in `detail`), or a request with the "
    "same Idempotency-Key is still running",
    "413": "Request too large",
    "415": "Unsupported media type",
    "422": "The Idempotency-Key was used before for a different request",
    "500": "Internal error (logged; no details are given)",
}
_PROBLEM_CONTENT = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
}


def finish(schema: Any) -> Any:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # Ninja keys generated responses by int, `openapi_extra` by string: merge them.
            responses: dict[str, Any] = {}
            for status, response in operation["responses"].items():
                responses.setdefault(str(status), {}).update(response)
            operation["responses"] = responses
            for status, response in list(responses.items()):
                if str(status).startswith(("4", "5")):
                    response["content"] = dict(_PROBLEM_CONTENT)
            for status, description in _COMMON.items():
                if status not in {str(s) for s in responses}:
                    responses[status] = {"description": description, "content": _PROBLEM_CONTENT}
    return schema
