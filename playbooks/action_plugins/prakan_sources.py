"""Action plugin `prakan_sources`: the evidence sources to gather on a host, from Prakan's catalog.

Runs on the controller and touches no host. The list comes from checks/sources.yml through
Prakan itself (the same allow-list as `prakan collect`); an unknown platform or an unusable host
name fails the task with the reason.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("host", "platform"))

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        try:
            from prakan.collect.ansible_evidence import PlanError, plan
        except ImportError as exc:  # pragma: no cover - depends on the controller's environment
            return {**result, "failed": True, "msg": f"Prakan is not installed on the controller: {exc}"}
        args = self._task.args
        host = str(args.get("host") or "")
        platform = args.get("platform")
        try:
            sources = plan(host, str(platform) if platform else None)
        except (PlanError, ValueError) as exc:
            return {**result, "failed": True, "msg": str(exc), "sources": []}
        return {
            **result,
            "changed": False,
            "sources": [s.to_json() for s in sources],
            "unprivileged": [s.to_json() for s in sources if not s.become],
            "privileged": [s.to_json() for s in sources if s.become],
        }
