"""Schemathesis hooks for Linli's CI (loaded by .ci/schemathesis/schemathesis.toml).

One check replaces the built-in `positive_data_acceptance`: a request that matches the document
must be accepted, or refused for a reason the document cannot state. The only such reasons are
the rule codes the document itself lists (`x-rule-codes` on `FieldError`: a date outside its
window around today, a day before the record it ends, a reference to another project's record, a
wrong current password…). A 422 naming any other field code (`required`, `invalid`,
`control_character`, `too_long`…) means the document promised too much, and fails the run.
"""

import json

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData

# What the built-in check accepts for a schema-valid request (its default expected statuses).
ACCEPTED = {401, 403, 404, 409, 429}


def _rule_codes(case):
    raw = case.operation.schema.raw_schema
    field_error = raw.get("components", {}).get("schemas", {}).get("FieldError", {})
    return set(field_error.get("x-rule-codes", []))


def _field_codes(response):
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return None
    return {e.get("code") for e in errors if isinstance(e, dict)}


def _fields(response):
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e.get("field", "") for e in errors or [] if isinstance(e, dict)]


@schemathesis.check
def positive_data_accepted_unless_a_rule_refuses(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    # A stateful link that followed a null (a message without a user) fills the path with
    # `None`: not an integer, so not the schema-valid request this check is about.
    if any(v is None or v == "None" for v in (case.path_parameters or {}).values()):
        return None
    status = response.status_code
    if 200 <= status < 400 or status in ACCEPTED:
        return None
    if status == 422:
        codes = _field_codes(response)
        if codes and codes <= _rule_codes(case):
            return None
        # What an uploaded file holds (its cells, its bytes) is no schema's to describe.
        if _fields(response) and all(f == "file" or f.startswith("file[") for f in _fields(response)):
            return None
    raise RejectedPositiveData(
        operation=case.operation.label,
        message=(
            "Valid data should have been accepted, or refused only for a rule the document lists "
            f"(x-rule-codes): got {status} with field codes {sorted(_field_codes(response) or [])}"
        ),
        status_code=status,
        allowed_statuses=["2xx", "3xx", "401", "403", "404", "409", "429", "422 with x-rule-codes only"],
    )
