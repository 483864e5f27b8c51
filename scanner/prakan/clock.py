"""Time as Prakan writes it: UTC, to the second, ISO 8601 with a `Z` (one format everywhere)."""

from __future__ import annotations

from datetime import UTC, datetime

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"  # the same instant, usable as a directory name


def utc_text(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime(UTC_FORMAT)


def utc_from_timestamp(seconds: float) -> str:
    return utc_text(datetime.fromtimestamp(seconds, UTC))


def run_id(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime(RUN_ID_FORMAT)


# Thai month names, for dates in the Buddhist Era (the year + 543) in the Thai views and forms
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
