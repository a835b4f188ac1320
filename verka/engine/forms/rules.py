"""Per-component value checks: the types the viewer produces and form-js's validation rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from verka.engine.bounded_regex import RegexBudget, RegexTimeout, search
from verka.engine.feel.limits import default_limits
from verka.engine.forms.model import MULTI_VALUE_TYPES, Component, Option

Problem = tuple[str, dict[str, object]]

# The WHATWG HTML definition of a valid e-mail address, which form-js also follows.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
# ITU-T E.164 country calling codes; longer codes inside zones 1 and 7 are covered by 1 and 7.
_CALLING_CODES = frozenset(
    re.findall(
        r"\d+",
        """
        1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58
        60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98
        211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235
        236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256
        257 258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353
        354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 379 380 381 382 383 385
        386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 509 590 591 592 593 594
        595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687
        688 689 690 691 692 850 852 853 855 856 880 886 960 961 962 963 964 965 966 967 968
        970 971 972 973 974 975 976 977 992 993 994 995 996 998
        """,
    )
)
# Characters JavaScript's String.prototype.trim removes.
_JS_TRIM = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?\s*")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = {
    "no_timezone": re.compile(r"(\d{2}):(\d{2})"),
    "utc_normalized": re.compile(r"(\d{2}):(\d{2})Z"),
    "utc_offset": re.compile(r"(\d{2}):(\d{2})[+-](\d{2}):(\d{2})"),
}


@dataclass(frozen=True)
class Bounds:
    """A field's validate rules with FEEL already evaluated for this field instance."""

    min: object = None
    max: object = None
    min_length: object = None
    max_length: object = None


def clean(component: Component, raw: Any) -> tuple[Any, Problem | None]:
    """The typed value for a component, or the reason the value cannot be of its type."""
    kind = component.type
    if kind in ("textfield", "textarea"):
        if raw is None:
            return "", None
        if not isinstance(raw, str):
            return None, ("invalid_type", {"expected": "text"})
        # A one-line input cannot hold line breaks or tabs; the viewer turns them into spaces.
        return (re.sub(r"[\r\n\t]", " ", raw) if kind == "textfield" else raw), None
    if kind == "number":
        return clean_number(raw)
    if kind == "checkbox":
        if raw is None:
            return False, None
        if not isinstance(raw, bool):
            return None, ("invalid_type", {"expected": "true or false"})
        return raw, None
    if kind in MULTI_VALUE_TYPES:
        if raw is None:
            return [], None
        if not isinstance(raw, list):
            return None, ("invalid_type", {"expected": "list"})
        return list(raw), None
    if kind == "datetime":
        if raw is None or raw == "":
            return None, None
        if not isinstance(raw, str):
            return None, ("invalid_type", {"expected": "text"})
        return clean_datetime(component, raw)
    if kind == "filepicker":
        return clean_files(raw)
    if raw == "" and kind in ("select", "radio"):
        return None, None
    return raw, None


def clean_number(raw: Any) -> tuple[Decimal | None, Problem | None]:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, bool):
        return None, ("not_a_number", {})
    if isinstance(raw, Decimal):
        return (raw, None) if raw.is_finite() else (None, ("not_a_number", {}))
    if isinstance(raw, int):
        return Decimal(raw), None
    if isinstance(raw, str) and _NUMBER_TEXT.fullmatch(raw) and len(raw) <= 400:
        # The viewer keeps numbers as text when serializeToString is set; the server types them.
        return Decimal(raw.strip()), None
    return None, ("not_a_number", {})


def clean_datetime(component: Component, raw: str) -> tuple[str | None, Problem | None]:
    """Dates and times stay ISO text, exactly as the viewer serialises them."""
    subtype = component.subtype
    time_format = component.time_format or "no_timezone"
    if subtype == "date":
        return (raw, None) if _parse_date(raw) else (None, ("invalid_date", {}))
    if subtype == "time":
        return (raw, None) if _valid_time(raw, time_format) else (None, ("invalid_time", {}))
    date_part, separator, time_part = raw.partition("T")
    if separator and _parse_date(date_part) and _valid_time(time_part, time_format):
        return raw, None
    return None, ("invalid_datetime", {})


def _parse_date(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _valid_time(text: str, time_format: str) -> bool:
    match = _TIME[time_format].fullmatch(text)
    if match is None:
        return False
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return False
    if time_format == "utc_offset":
        return int(match.group(3)) <= 23 and int(match.group(4)) <= 59
    return True


def clean_files(raw: Any) -> tuple[Any, Problem | None]:
    """A file picker holds the viewer's file key, or a list of stored-document references."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, str):
        return raw, None
    if isinstance(raw, list) and all(
        isinstance(item, Mapping) and isinstance(item.get("documentId"), str) for item in raw
    ):
        return [dict(item) for item in raw], None
    return None, ("invalid_type", {"expected": "file reference"})


def check_rules(
    component: Component,
    value: Any,
    bounds: Bounds,
    today: date | None,
    budget: RegexBudget | None = None,
) -> list[Problem]:
    """form-js's checks in form-js's order: number shape, pattern, required, range, length, type.

    budget is the time the validation's patterns may take together; a pattern that does not
    finish within it is the problem "pattern_timeout".
    """
    problems: list[Problem] = []
    rules = component.validate
    if component.type == "number" and isinstance(value, Decimal):
        problems += _number_shape(component, value)
    pattern = rules.pattern_regex
    if pattern is not None and rules.pattern is not None and isinstance(value, str) and value:
        try:
            budget = budget or RegexBudget(default_limits().regex_seconds)
            found = search(budget, rules.pattern, pattern, value)
        except RegexTimeout:
            problems.append(("pattern_timeout", {"pattern": rules.pattern}))
        else:
            if found is None:
                problems.append(("pattern", {"pattern": rules.pattern}))
    if rules.required and _is_unset(component, value):
        problems.append(("required", {}))
    if isinstance(value, Decimal):
        problems += _range(value, "min", bounds.min, lambda v, b: v < b)
        problems += _range(value, "max", bounds.max, lambda v, b: v > b)
    if isinstance(value, str) and value:
        length = js_length(value.strip(_JS_TRIM))
        minimum, maximum = _as_number(bounds.min_length), _as_number(bounds.max_length)
        if minimum is not None and length < minimum:
            problems.append(("too_short", {"min_length": minimum, "length": length}))
        if maximum is not None and length > maximum:
            problems.append(("too_long", {"max_length": maximum, "length": length}))
        if rules.validation_type == "phone" and not is_international_phone(value):
            problems.append(("phone", {}))
        if rules.validation_type == "email" and not _EMAIL.fullmatch(value):
            problems.append(("email", {}))
    if component.type == "datetime" and component.disallow_passed_dates and today and value:
        day = _parse_date(str(value)[:10])
        if day is not None and day < today:
            problems.append(("date_in_past", {"today": today.isoformat()}))
    return problems


def _is_unset(component: Component, value: Any) -> bool:
    if component.type == "checkbox" and value is False:
        return True
    return value is None or value == "" or (isinstance(value, list) and not value)


def _number_shape(component: Component, value: Decimal) -> list[Problem]:
    problems: list[Problem] = []
    digits = component.decimal_digits
    if digits is not None and decimal_places(value) > digits:
        problems.append(
            ("not_an_integer", {})
            if digits == 0
            else ("decimal_digits", {"decimal_digits": digits})
        )
    step = component.increment
    if step is not None and value:
        try:
            with localcontext() as exact:
                exact.prec = 1000
                offset = value % step
                if offset != 0:
                    previous = value - offset
                    problems.append(
                        (
                            "increment",
                            {"increment": step, "previous": previous, "next": previous + step},
                        )
                    )
        except InvalidOperation:
            problems.append(("not_a_number", {}))
    return problems


def _range(
    value: Decimal, code: str, bound: object, outside: Callable[[Decimal, Decimal], bool]
) -> list[Problem]:
    if bound is None:
        return []
    limit = _as_number(bound)
    if limit is None:
        # form-js reports a bound that is not a number as an error of the field.
        return [("invalid_constraint", {"rule": code})]
    return [(code, {code: limit})] if outside(value, limit) else []


def _as_number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return Decimal(value.strip())
    return None


def decimal_places(value: Decimal) -> int:
    """Digits after the point once trailing zeros are gone (1.50 has one), as big.js counts."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing)) if any(digits) else 0


def js_length(text: str) -> int:
    """String length as JavaScript counts it: UTF-16 code units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def is_international_phone(text: str) -> bool:
    """An international number: '+' or '00', a country calling code, then the national number.

    Like form-js, the number may be preceded by other text, must run to the end of the value,
    and the national part may not start with 0.
    """
    for start in range(len(text)):
        if text[start] == "+":
            rest = text[start + 1 :]
        elif text.startswith("00", start):
            rest = text[start + 2 :]
        else:
            continue
        if not (rest.isascii() and rest.isdigit()):
            continue
        for code_length in (1, 2, 3):
            national = rest[code_length:]
            if (
                rest[:code_length] in _CALLING_CODES
                and 5 <= len(national) <= 23
                and not national.startswith("0")
            ):
                return True
    return False


def options_problems(
    component: Component, value: Any, options: tuple[Option, ...]
) -> list[Problem]:
    """A choice must be one of the options offered; a list may not hold one twice."""
    if component.type in MULTI_VALUE_TYPES:
        problems: list[Problem] = []
        for position, item in enumerate(value if isinstance(value, list) else []):
            if not any(json_equal(item, option.value) for option in options):
                problems.append(("invalid_option", {"value": item, "index": position}))
            elif any(json_equal(item, earlier) for earlier in value[:position]):
                problems.append(("duplicate_option", {"value": item, "index": position}))
        return problems
    if value is None:
        return []
    if any(json_equal(value, option.value) for option in options):
        return []
    return [("invalid_option", {"value": value})]


def json_equal(a: Any, b: Any) -> bool:
    """Deep equality of JSON values, with numbers by value and booleans never equal to numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | Decimal) and isinstance(b, int | Decimal):
        return Decimal(a) == Decimal(b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)
