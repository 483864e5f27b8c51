"""History of runs in SQLite: drift between runs, incident candidates and the NCSA report forms."""

from __future__ import annotations

from prakan.history.context import report_context
from prakan.history.store import History, HistoryError, default_path, open_history, read_results

__all__ = ["History", "HistoryError", "default_path", "open_history", "read_results", "report_context"]
