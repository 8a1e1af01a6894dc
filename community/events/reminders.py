"""Scheduled mail: reminders 7 days and 1 day before (`events send-reminders`), and the survey an hour after the end
to those who were checked in (`events send-surveys`). Both are idempotent and cron-able: a row in
`event_reminders_sent` per (RSVP, kind, the start it was about) is written with the mail, so running twice sends
once, and a moved event (a new start) is reminded again."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import mail
from ..core.timeutil import aware, utcnow
from ..core.urls import public_url
from ..extensions import db
from .mailing import when
from .models import RSVP, Event, ReminderSent

REMINDERS = (("7d", timedelta(days=7)), ("1d", timedelta(days=1)))  # the later one first in `_kind`
SURVEY_AFTER = timedelta(hours=1)
SURVEY_UNTIL = timedelta(days=7)  # a survey not sent within a week of the end is not sent at all


def _kind(event: Event, now: datetime) -> str | None:
    """Which reminder is due now: "1d" inside the last day, "7d" inside the last week (not both)."""
    left = aware(event.starts_at) - now
    if left <= timedelta(0):
        return None
    if left <= timedelta(days=1):
        return "1d"
    return "7d" if left <= timedelta(days=7) else None


def _once(row: RSVP, kind: str, starts_at: datetime) -> bool:
    """Record that this mail goes out; False when it went out already (or another run is sending it)."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(rsvp_id=row.id, kind=kind, starts_at=starts_at))
    except IntegrityError:
        return False
    return True


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due; the caller commits (the mail leaves after the commit)."""
    now = now or utcnow()
    events = db.session.scalars(select(Event).where(Event.status == "published", Event.starts_at > now,
                                                    Event.starts_at <= now + timedelta(days=7)))
    sent = 0
    for event in events:
        kind = _kind(event, now)
        if kind is None:
            continue
        rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "going"))
        for row in rows:
            if not _once(row, kind, event.starts_at):
                continue
            member = row.user
            subject = f"{'Tomorrow' if kind == '1d' else 'Next week'}: {event.title}"
            mail.queue(member.email, subject, "events/reminder", category=f"events.reminder.{kind}",
                       member=member, event=event, kind=kind, when=when(event, member.time_zone), going=True,
                       link=public_url("events.event", event_id=event.id, slug=event.slug),
                       ticket=public_url("events.ticket", event_id=event.id))
            sent += 1
    return sent


def send_surveys(now: datetime | None = None) -> int:
    """"How likely are you to recommend…?" to each checked-in attendee, an hour after the end, once."""
    now = now or utcnow()
    events = db.session.scalars(select(Event).where(Event.status == "published",
                                                    Event.ends_at <= now - SURVEY_AFTER,
                                                    Event.ends_at > now - SURVEY_UNTIL))
    sent = 0
    for event in events:
        rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "checked_in"))
        for row in rows:
            if not _once(row, "survey", event.starts_at):
                continue
            member = row.user
            mail.queue(member.email, f"How was {event.title}?", "events/survey", category="events.survey",
                       member=member, event=event, link=public_url("events.survey", event_id=event.id))
            sent += 1
        if event.survey_sent_at is None:
            event.survey_sent_at = now
    return sent
