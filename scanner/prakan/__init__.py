"""Prakan (ปราการ): compliance scanner for Thai government networks."""

__version__ = "0.1.0"
