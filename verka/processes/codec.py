"""FEEL values ⇄ stored JSON text, exactly: numbers keep all 34 digits, temporals keep their kind.

Stored form: plain JSON where numbers are written as their exact decimal text, and temporal
values are one-key objects (`{"@date": "2026-01-31"}`, `@datetime`, `@time`, `@duration`).
`to_json_text(value, plain=True)` writes temporals as ISO strings instead, for API clients.
"""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from typing import Any

from verka.engine.feel.temporal import (
    DaysTimeDuration,
    Time,
    YearsMonthsDuration,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    temporal_to_string,
)

TAGS = {"@date": parse_date, "@datetime": parse_date_time, "@time": parse_time}


class CodecError(ValueError):
    """A value that cannot be stored as a variable (a function, a range, NaN, …)."""


def _number_text(number: Decimal | int | float) -> str:
    if isinstance(number, float):
        if not math.isfinite(number):
            raise CodecError(f"the number {number} cannot be stored")
        number = Decimal(repr(number))
    if isinstance(number, int):
        return str(number)
    if not number.is_finite():
        raise CodecError(f"the number {number} cannot be stored")
    text = format(number.normalize(), "f") if number == number.to_integral_value() else str(number)
    if "E" in text or "e" in text:
        text = format(number, "f")
    return text


def _temporal_tag(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):
        return "@datetime"
    if isinstance(value, datetime.date):
        return "@date"
    if isinstance(value, Time):
        return "@time"
    if isinstance(value, YearsMonthsDuration | DaysTimeDuration):
        return "@duration"
    return None


def _write(value: Any, plain: bool, out: list[str]) -> None:
    if value is None or isinstance(value, bool | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal | int | float):
        out.append(_number_text(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, plain, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise CodecError(f"context keys must be strings, not {type(key).__name__}")
            if index:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(item, plain, out)
        out.append("}")
    else:
        tag = _temporal_tag(value)
        if tag is None:
            raise CodecError(f"a value of type {type(value).__name__} cannot be stored")
        text = json.dumps(temporal_to_string(value), ensure_ascii=False)
        out.append(text if plain else f'{{"{tag}":{text}}}')


def to_json_text(value: Any, *, plain: bool = False) -> str:
    out: list[str] = []
    _write(value, plain, out)
    return "".join(out)


def _revive(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, text),) = obj.items()
        if isinstance(text, str):
            if key == "@duration":
                return parse_duration(text)
            parse = TAGS.get(key)
            if parse is not None:
                return parse(text)
    return obj


def from_json_text(text: str) -> Any:
    return json.loads(text, parse_float=Decimal, parse_int=Decimal, object_hook=_revive)


def from_plain_json(value: Any) -> Any:
    """Turn a value decoded by any JSON parser (API input) into FEEL values: numbers → Decimal."""
    if isinstance(value, bool) or value is None or isinstance(value, str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodecError(f"the number {value} is not allowed")
        return Decimal(repr(value))
    if isinstance(value, list):
        return [from_plain_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): from_plain_json(item) for key, item in value.items()}
    return value
