"""Library logging (paramiko, netmiko) routed through Prakan's own loggers.

paramiko logs a full traceback at ERROR level from its transport thread when a server accepts TCP
but never speaks SSH; with no handler configured, Python prints it on the terminal. Prakan states
what happened in the host's reason instead, so library records go to `prakan.collect.lib.<name>`
at DEBUG level: silent by default, visible when Prakan's logging is turned up.
"""

from __future__ import annotations

import logging

LIBRARIES = ("paramiko", "netmiko")


class _ToPrakan(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(f"prakan.collect.lib.{record.name}")
        if target.isEnabledFor(logging.DEBUG):
            target.debug("%s: %s", logging.getLevelName(record.levelno), record.getMessage())


def route_library_logging() -> None:
    """Idempotent: attach the forwarding handler once and stop propagation to the root logger."""
    for name in LIBRARIES:
        lib = logging.getLogger(name)
        if not any(isinstance(h, _ToPrakan) for h in lib.handlers):
            lib.addHandler(_ToPrakan())
        lib.propagate = False
