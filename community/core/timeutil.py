"""Time: UTC-aware datetimes in storage, the viewer's zone on the page."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from dateutil import tz


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


class WallTimeProblem(ValueError):
    """A local time that does not exist (the clocks jump over it) or happens twice (they fall back over it)."""


def wall_to_utc(wall: datetime, zone: str) -> datetime:
    """The UTC instant of the naive local time `wall` in `zone`; refuses times the zone skips or repeats."""
    where = ZoneInfo(zone)
    if not tz.datetime_exists(wall, where):
        raise WallTimeProblem(f"{wall:%-d %B %Y, %H:%M} does not exist in {zone}: the clocks go forward over it. "
                              "Pick a time an hour later or earlier.")
    if tz.datetime_ambiguous(wall, where):
        raise WallTimeProblem(f"{wall:%-d %B %Y, %H:%M} happens twice in {zone}: the clocks go back over it. "
                              "Pick a time outside that hour.")
    return wall.replace(tzinfo=where).astimezone(UTC)
