"""FEEL number functions (§10.3.4.5): rounding with scale, abs, modulo, sqrt, log, exp, odd, even."""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)

from verka.engine.feel.builtins.core import BuiltinError, Library, number
from verka.engine.feel.temporal import DaysTimeDuration, YearsMonthsDuration
from verka.engine.feel.values import NUMBER_CONTEXT, Value

library = Library()
function = library.function

# Scales the spec allows, the exponent range of a 128-bit decimal.
_MIN_SCALE, _MAX_SCALE = -6111, 6176


def _scale(value: Decimal | None) -> int:
    if value is None:
        return 0
    if not value.is_finite():
        raise BuiltinError("scale must be a finite number")
    scale = int(value.to_integral_value(rounding=ROUND_DOWN))
    if not _MIN_SCALE <= scale <= _MAX_SCALE:
        raise BuiltinError(f"scale must be in [{_MIN_SCALE}, {_MAX_SCALE}]")
    return scale


def _rounded(value: Decimal, scale: Decimal | None, rounding: str) -> Value:
    if not value.is_finite():
        raise BuiltinError("number must be finite")
    places = _scale(scale)
    current = value.as_tuple().exponent
    if isinstance(current, int) and current >= -places:
        return number(value)  # already no more decimal places than asked for
    exponent = Decimal((0, (1,), -places))
    result = value.quantize(exponent, rounding=rounding, context=NUMBER_CONTEXT)
    if not result.is_finite():
        raise BuiltinError(f"{value} has too many digits for scale {scale}")
    # quantize keeps the sign of a zero result; FEEL has only one zero.
    return result if result else abs(result)


@function("decimal", "n: number", "scale: number")
def decimal(value: Decimal, scale: Decimal) -> Value:
    return _rounded(value, scale, ROUND_HALF_EVEN)


@function("floor", "n: number", "scale: number?")
def floor(value: Decimal, scale: Decimal | None) -> Value:
    return _rounded(value, scale, ROUND_FLOOR)


@function("ceiling", "n: number", "scale: number?")
def ceiling(value: Decimal, scale: Decimal | None) -> Value:
    return _rounded(value, scale, ROUND_CEILING)


@function("round up", "n: number", "scale: number?")
def round_up(value: Decimal, scale: Decimal | None) -> Value:
    return _rounded(value, scale, ROUND_UP)


@function("round down", "n: number", "scale: number?")
def round_down(value: Decimal, scale: Decimal | None) -> Value:
    return _rounded(value, scale, ROUND_DOWN)


@function("round half up", "n: number", "scale: number?")
def round_half_up(value: Decimal, scale: Decimal | None) -> Value:
    return _rounded(value, scale, ROUND_HALF_UP)


@function("round half down", "n: number", "scale: number?")
def round_half_down(value: Decimal, scale: Decimal | None) -> Value:
    return _rounded(value, scale, ROUND_HALF_DOWN)


@function("abs", "n: number")
def abs_number(value: Decimal) -> Value:
    return number(NUMBER_CONTEXT.abs(value))


@function("abs", "n: duration")
def abs_duration(value: YearsMonthsDuration | DaysTimeDuration) -> Value:
    if isinstance(value, YearsMonthsDuration):
        return YearsMonthsDuration(abs(value.months))
    return DaysTimeDuration(abs(value.nanoseconds))


@function("modulo", "dividend: number", "divisor: number")
def modulo(dividend: Decimal, divisor: Decimal) -> Value:
    if divisor == 0:
        raise BuiltinError("divisor must not be zero")
    # The result takes the divisor's sign: dividend - divisor * floor(dividend / divisor).
    quotient = NUMBER_CONTEXT.divide(dividend, divisor)
    whole = quotient.to_integral_value(rounding=ROUND_FLOOR)
    product = NUMBER_CONTEXT.multiply(divisor, whole)
    return number(NUMBER_CONTEXT.subtract(dividend, product))


@function("sqrt", "number: number")
def sqrt(value: Decimal) -> Value:
    if value < 0:
        raise BuiltinError("cannot take the square root of a negative number")
    return number(NUMBER_CONTEXT.sqrt(value))


@function("log", "number: number")
def log(value: Decimal) -> Value:
    if value <= 0:
        raise BuiltinError("logarithm needs a positive number")
    return number(NUMBER_CONTEXT.ln(value))


@function("exp", "number: number")
def exp(value: Decimal) -> Value:
    return number(NUMBER_CONTEXT.exp(value))


def _parity(value: Decimal) -> int | None:
    if not value.is_finite() or value != value.to_integral_value():
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return 0  # a multiple of ten
    return int(value) % 2


@function("odd", "number: number")
def odd(value: Decimal) -> Value:
    parity = _parity(value)
    if parity is None:
        raise BuiltinError("odd needs an integer")
    return parity != 0


@function("even", "number: number")
def even(value: Decimal) -> Value:
    parity = _parity(value)
    if parity is None:
        raise BuiltinError("even needs an integer")
    return parity == 0
