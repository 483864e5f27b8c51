"""Action plugin `prakan_manifest`: the run manifest of the evidence directory (every host file and
its SHA-256; hosts expected but without a file), written by Prakan's own manifest writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("dest", "hosts", "run", "meta"))

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        from prakan.collect.ansible_evidence import finish_run

        args = self._task.args
        dest = Path(str(args["dest"])).expanduser().resolve()
        hosts = [str(h) for h in args.get("hosts") or []]
        meta = {str(k): v for k, v in (args.get("meta") or {}).items()}
        try:
            manifest = finish_run(dest, hosts, str(args["run"]), meta)
        except OSError as exc:
            return {**result, "failed": True, "msg": f"manifest not written in {dest}: {exc}"}
        return {
            **result,
            "changed": True,
            "files": len(manifest["files"]),
            "missing": sorted(manifest["failed"]),
            "manifest": str(dest / "manifest.json"),
        }
