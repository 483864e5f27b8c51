"""Rule primitives: declarative YAML compiled once into functions of an evaluation context.

A compiled rule takes a `Context` (the host's vars and its parsed evidence sources) and returns an
`Outcome`. Primitives:

* `key`      key/value comparisons over a KeyValues source (`sshd -T`, sysctl, login.defs)
* `present` / `absent` / `capture` (optionally inside `section`)  over a configuration tree
* `rows`     predicates over a table (TextFSM output, /etc/passwd, stat output)
* `all` / `any` / `not`  combinators
* `function` a registered Python function, the escape hatch
"""

from prakan.rules.compile import RuleError, compile_rule
from prakan.rules.model import Context, EvidenceUnavailable, Outcome

__all__ = ["Context", "EvidenceUnavailable", "Outcome", "RuleError", "compile_rule"]
