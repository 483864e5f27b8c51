"""`prakan lint`: the inventory linter for CI (rules in docs/lint-rules.md)."""
