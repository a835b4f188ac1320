"""What every v1 resource shares: key and text types, variables in and out, timestamps, and
cursor pagination."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from verka.processes import codec

from ..problems import FieldError, invalid

MAX_KEY = 2**63 - 1
# Keys travel as strings of digits (as in Camunda 8's REST API): JavaScript numbers cannot hold
# every 64-bit integer exactly.
KeyText = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,19}$")]
# Text that ends up in indexed columns: bounded, and without NUL (PostgreSQL refuses it).
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00]*$")]
OptionalName = Annotated[str, StringConstraints(max_length=255, pattern=r"^[^\x00]*$")]
LongText = Annotated[str, StringConstraints(max_length=10_000, pattern=r"^[^\x00]*$")]
Variables = dict[str, Any]

MAX_VARIABLE_DEPTH = 64
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class Input(Schema):
    """Request bodies: exact types (no "3" for 3) and no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Output(Schema):
    model_config = ConfigDict(populate_by_name=True)


def key_text(key: int | None) -> str | None:
    return None if key is None else str(key)


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- variables ----------------------------------------------------------------------------


def check_variables(value: Mapping[str, Any] | None, field: str = "variables") -> dict[str, Any]:
    """Variables from a request body, checked so that the engine can store every one of them;
    the problem names the offending path (`variables.order.lines[3]`)."""
    if value is None:
        return {}
    errors: list[FieldError] = []
    for name, item in value.items():
        path = f"{field}.{name}"
        if not name or len(name) > 255 or "\x00" in name:
            errors.append(
                FieldError(path, "invalid_name", "a variable name has 1 to 255 characters")
            )
            continue
        _check_value(item, path, 1, errors)
    if errors:
        raise invalid(errors[:20])
    return dict(value)


def _check_value(value: Any, path: str, depth: int, errors: list[FieldError]) -> None:
    if depth > MAX_VARIABLE_DEPTH:
        errors.append(
            FieldError(path, "too_deep", f"values nest at most {MAX_VARIABLE_DEPTH} levels deep")
        )
        return
    if isinstance(value, dict):
        for name, item in value.items():
            _check_value(item, f"{path}.{name}", depth + 1, errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]", depth + 1, errors)
    elif isinstance(value, float | Decimal) and not Decimal(value).is_finite():
        errors.append(FieldError(path, "invalid_number", "numbers must be finite"))


def variables_out(values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored FEEL values as the API shows them: exact numbers, temporals as ISO strings.
    The renderer writes numbers with all their digits (codec.to_json_text(plain=True))."""
    return json.loads(
        codec.to_json_text(dict(values), plain=True), parse_float=Decimal, parse_int=int
    )


def variables_from_text(text: str) -> dict[str, Any]:
    value = codec.from_json_text(text)
    return variables_out(value) if isinstance(value, dict) else {}


# --- cursor pagination ----------------------------------------------------------------------


class PageQuery(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="items per page")
    cursor: str | None = Field(
        None, max_length=200, description="the `next` value of the previous page"
    )


def encode_cursor(last_key: int) -> str:
    raw = json.dumps({"after": last_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        after = data["after"]
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_KEY:
            raise ValueError(after)
        return after
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        raise invalid(
            [FieldError("cursor", "invalid_cursor", "not a cursor this API handed out")]
        ) from None


M = TypeVar("M", bound=Model)
T = TypeVar("T")


def paginate(
    query: QuerySet[M],
    page: PageQuery,
    render: Callable[[M], T],
    *,
    key_field: str = "key",
    seen: Callable[[Sequence[M]], object] | None = None,
) -> dict[str, Any]:
    """One page in stable key order; `next` is an opaque cursor, null on the last page.
    `seen` gets the page's rows (to write them to the access log)."""
    after = decode_cursor(page.cursor)
    if after is not None:
        query = query.filter(**{f"{key_field}__gt": after})
    rows: Sequence[M] = list(query.order_by(key_field)[: page.limit + 1])
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = encode_cursor(getattr(rows[-1], key_field)) if more and rows else None
    items = [render(row) for row in rows]
    if seen is not None:
        seen(rows)
    return {"items": items, "next": next_cursor}
