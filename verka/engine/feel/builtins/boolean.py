"""The FEEL boolean function `not` (§10.3.4.2): three-valued, so not(null) is null."""

from __future__ import annotations

from verka.engine.feel.builtins.core import Library
from verka.engine.feel.values import Value

library = Library()


@library.function("not", "negand: any")
def not_(negand: Value) -> Value:
    return not negand if isinstance(negand, bool) else None
