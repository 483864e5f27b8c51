"""The escape hatch: Python functions for what YAML cannot say, looked up by name in a registry.

A function receives the Context, the rule's `source` (may be None) and the rule's `args`, and
returns an Outcome. A module of functions owns a `Registry` and registers into it explicitly
(`@FUNCTIONS.register("name", sources=(...))`); `prakan.checkfuncs.BUILTIN` joins them, and the
catalog passes it to the rule compiler. Importing a module registers nothing anywhere else.
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


class Registry:
    """Rule functions by name."""

    def __init__(self, functions: dict[str, Function] | None = None) -> None:
        self._functions: dict[str, Function] = dict(functions or {})

    def register(
        self, name: str, sources: tuple[str, ...] = ()
    ) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
        def wrap(func: Callable[..., Outcome]) -> Callable[..., Outcome]:
            if name in self._functions:
                raise RuntimeError(f"rule function `{name}` registered twice")
            self._functions[name] = Function(name, func, sources)
            return func

        return wrap

    def __or__(self, other: Registry) -> Registry:
        both = sorted(set(self._functions) & set(other._functions))
        if both:
            raise RuntimeError(f"rule function `{both[0]}` registered twice")
        return Registry(self._functions | other._functions)

    def get(self, name: str, where: str) -> Function:
        if name not in self._functions:
            known = ", ".join(sorted(self._functions))
            raise RuleError(f"{where}: unknown rule function `{name}` (known: {known})")
        return self._functions[name]

    def names(self) -> list[str]:
        return sorted(self._functions)
