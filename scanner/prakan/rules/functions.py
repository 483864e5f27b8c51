"""The escape hatch: Python functions for what YAML cannot say, registered by name.

A function receives the Context, the rule's `source` (may be None) and the rule's `args`, and
returns an Outcome. Register with `@register("name", sources=(...))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prakan.rules.model import Outcome
from prakan.rules.values import RuleError


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    func: Callable[..., Outcome]
    sources: tuple[str, ...]


_REGISTRY: dict[str, Function] = {}


def register(name: str, sources: tuple[str, ...] = ()) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    def wrap(func: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if name in _REGISTRY:
            raise RuntimeError(f"rule function `{name}` registered twice")
        _REGISTRY[name] = Function(name, func, sources)
        return func

    return wrap


def get(name: str, where: str) -> Function:
    import prakan.checkfuncs  # noqa: F401  (registers the built-in functions)

    if name not in _REGISTRY:
        raise RuleError(f"{where}: unknown rule function `{name}` (known: {', '.join(sorted(_REGISTRY))})")
    return _REGISTRY[name]


def names() -> list[str]:
    import prakan.checkfuncs  # noqa: F401

    return sorted(_REGISTRY)
