"""Action plugin `prakan_evidence`: one host's registered command results -> a redacted
`prakan-evidence` file on the controller, written by Prakan's own code (same redaction, hashing
and atomic write as `prakan collect`). Use it with `no_log: true`: its arguments hold raw output.
Returns only the file name, its SHA-256 and how many secrets were redacted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(
        ("host", "platform", "dest", "registered", "plan_error", "privileged_error", "address", "user")
    )

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        from prakan.collect.ansible_evidence import host_evidence, loop_results, unreachable

        args = self._task.args
        host = str(args["host"])
        platform = str(args.get("platform") or "unknown")
        registered = [r for r in (args.get("registered") or []) if isinstance(r, dict)]
        host_error = args.get("plan_error") or unreachable(registered)
        dest = Path(str(args["dest"])).expanduser().resolve()
        try:
            name, digest, redacted = host_evidence(
                host,
                platform,
                loop_results(registered),
                directory=dest,
                address=str(args.get("address") or "") or None,
                user=str(args.get("user") or "") or None,
                host_error=str(host_error) if host_error else None,
                privileged_error=str(args.get("privileged_error") or "") or None,
            )
        except (OSError, ValueError) as exc:
            return {**result, "failed": True, "msg": f"{host}: evidence not written: {exc}"}
        return {
            **result,
            "changed": True,
            "file": name,
            "sha256": digest,
            "redactions": redacted,
            "host_error": bool(host_error),
        }
