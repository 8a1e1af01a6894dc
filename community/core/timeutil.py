"""Time: UTC-aware datetimes in storage, the viewer's zone on the page."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@cache
def zone_names() -> tuple[str, ...]:
    regions = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return ("UTC", *regions)


def is_zone(name: str) -> bool:
    return name in zone_names()


def local(value: datetime, zone: str | None) -> datetime:
    return aware(value).astimezone(ZoneInfo(zone or "UTC"))
