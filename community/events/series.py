"""Recurring series: an RRULE (python-dateutil) over local wall time in the event's zone, so a 19:00 Berlin meetup
stays at 19:00 Berlin across both DST changes. Each occurrence is a real event with its own RSVPs. Durations are
kept in UTC. An occurrence whose wall time doesn't exist, or happens twice, refuses the whole series at entry.

Editing a series: `this` event only, `following` (this one and those after it) or `all` (every occurrence that
hasn't started): the fields are copied and a change of the start's wall time moves each occurrence by the same
wall-clock difference."""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, rrulestr
from sqlalchemy import select

from ..core.errors import Invalid
from ..core.timeutil import WallTimeProblem, aware, utcnow, wall_to_utc
from ..extensions import db
from . import services
from .models import Event, Series

REPEATS = {  # choice → what the form says
    "weekly": "Every week",
    "biweekly": "Every 2 weeks",
    "monthly_date": "Every month on the same date",
    "monthly_weekday": "Every month on the same weekday (e.g. the 2nd Tuesday)",
}
MAX_OCCURRENCES = 52
WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
SCOPES = ("this", "following", "all")


def rule_for(repeat: str, first: datetime, count: int) -> rrule:
    if repeat not in REPEATS:
        raise Invalid("Pick how the event repeats.", field="repeat")
    if not 2 <= count <= MAX_OCCURRENCES:
        raise Invalid(f"A series has 2 to {MAX_OCCURRENCES} occurrences.", field="occurrences")
    if repeat in ("weekly", "biweekly"):
        return rrule(WEEKLY, interval=2 if repeat == "biweekly" else 1, dtstart=first, count=count)
    if repeat == "monthly_date":
        if first.day > 28:
            raise Invalid("Monthly by date works for days 1 to 28 (not every month has a 29th, 30th or 31st). "
                          "Pick the same weekday instead.", field="repeat")
        return rrule(MONTHLY, dtstart=first, count=count)
    nth = (first.day - 1) // 7 + 1
    if nth == 5:
        nth = -1  # the 5th Tuesday is not in every month: the last one is
    return rrule(MONTHLY, dtstart=first, count=count, byweekday=WEEKDAYS[first.weekday()](nth))


def _rule_text(rule: rrule) -> str:
    """The RRULE line alone (its DTSTART is the series' first wall time)."""
    return next(line for line in str(rule).splitlines() if line.startswith("RRULE:"))[len("RRULE:"):]


def occurrences(series: Series) -> list[datetime]:
    return list(rrulestr(series.rule, dtstart=series.first_local))


def create_series(by, details: services.Details, repeat: str, count: int, hosts=(), *, publish=False) -> Series:
    """The series and its occurrences, every one checked against the zone's clock changes first."""
    rule = rule_for(repeat, details.local_start, count)
    length = details.local_end - details.local_start
    starts = list(rule)
    for wall in starts:
        try:
            wall_to_utc(wall, details.time_zone)
        except WallTimeProblem as exc:
            raise Invalid(f"One occurrence falls on a time the clocks skip or repeat: {exc}", field="local_start") \
                from None
    series = Series(rule=_rule_text(rule), time_zone=details.time_zone, first_local=details.local_start,
                    duration_minutes=int(length.total_seconds() // 60), created_by_id=by.id)
    db.session.add(series)
    db.session.flush()
    for index, wall in enumerate(starts):
        event = services.create_event(by, _at(details, wall, series.duration_minutes), hosts, publish=publish)
        event.series_id, event.series_index = series.id, index
    db.session.flush()
    return series


def _at(details: services.Details, wall: datetime, minutes: int) -> services.Details:
    """`details` moved to start at `wall`; the end follows by the same duration in UTC (the spec)."""
    start = wall_to_utc(wall, details.time_zone)
    end_utc = start + timedelta(minutes=minutes)
    end_wall = end_utc.astimezone(ZoneInfo(details.time_zone)).replace(tzinfo=None)
    return replace(details, local_start=wall, local_end=end_wall)


def edit(event: Event, by, details: services.Details, scope: str = "this") -> list[Event]:
    """Apply `details` to `event` and, by `scope`, to the series' other occurrences; return the events whose time
    or place changed (their people were told)."""
    if scope not in SCOPES:
        raise Invalid("Pick which events the change applies to.", field="scope")
    if scope == "this" or event.series_id is None:
        return [event] if services.update_event(event, by, details) else []
    shift = details.local_start - event.local_start  # the change of wall time, applied to every occurrence
    minutes = int((details.local_end - details.local_start).total_seconds() // 60)
    query = select(Event).where(Event.series_id == event.series_id, Event.starts_at > utcnow(),
                                Event.status != "cancelled").order_by(Event.series_index)
    if scope == "following":
        query = query.where(Event.series_index >= event.series_index)
    changed = []
    for other in db.session.scalars(query).all():
        wall = other.local_start + shift
        try:
            moved = _at(details, wall, minutes)
        except WallTimeProblem as exc:
            raise Invalid(f"{other.title} on {aware(other.starts_at):%-d %B}: {exc}", field="local_start") from None
        if services.update_event(other, by, moved):
            changed.append(other)
    return changed
