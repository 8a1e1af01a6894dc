"""`flask --app wsgi events …`: the events' scheduled jobs (cron or a systemd timer) and the ledger's check."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..core.db import write_intent
from ..core.timeutil import utcnow
from ..extensions import db
from . import attendance, queries, reminders, rsvps
from .models import RSVP, Event

events = AppGroup("events", help="Events' scheduled jobs (reminders, surveys, closing past events, offers that "
                  "expire) and the seats ledger's check.")


@events.command("send-reminders")
def send_reminders_command():
    """Mail the reminders due now: 7 days and 1 day before (idempotent: run it hourly)."""
    with write_intent():
        sent = reminders.send_reminders()
        db.session.commit()
    click.echo(f"{sent} reminder(s) sent.")


@events.command("send-surveys")
def send_surveys_command():
    """Mail the survey to checked-in attendees an hour after the end (idempotent: run it hourly)."""
    with write_intent():
        sent = reminders.send_surveys()
        db.session.commit()
    click.echo(f"{sent} survey mail(s) sent.")


@events.command("close-past")
def close_past_command():
    """Mark no-shows once an event is over (end + 2 h), and credit hosts of events that took place (idempotent)."""
    with write_intent():
        due = attendance.due_for_closing()
        came = missed = 0
        with click.progressbar(due, label="Closing past events") as bar:
            for event in bar:
                checked_in, no_shows = attendance.close(event)
                came, missed = came + checked_in, missed + no_shows
                db.session.commit()
    click.echo(f"{len(due)} event(s) closed: {came} attendee(s) checked in, {missed} no-show(s).")


@events.command("expire-offers")
def expire_offers_command():
    """Release seats whose claim window has passed, and offer them to the next people waiting (idempotent)."""
    now = utcnow()
    with write_intent():
        ids = list(db.session.scalars(select(RSVP.event_id).where(RSVP.state == "offered",
                                                                  RSVP.offer_expires_at <= now).distinct()))
        expired = 0
        with click.progressbar(ids, label="Expiring offers") as bar:
            for event_id in bar:
                expired += len(rsvps.expire_offers(db.session.get(Event, event_id), now))
                db.session.commit()  # one event at a time: its mail goes out after its own commit
    click.echo(f"{expired} offer(s) expired at {len(ids)} event(s).")


@events.command("check-seats")
def check_seats_command():
    """Compare each event's seats ledger with the seats its RSVPs hold; exit 1 on any difference."""
    wrong = 0
    for event in db.session.scalars(select(Event).where(Event.capacity.is_not(None)).order_by(Event.id)):
        held = queries.held_seats(event)
        if held != event.seats_taken:
            wrong += 1
            click.echo(f"event {event.id}: RSVPs hold {held} seats, the ledger says {event.seats_taken}")
    click.echo(f"{wrong} event(s) differ.")
    if wrong:
        raise SystemExit(1)
