"""At the door and after: check-in (by name or by the ticket's QR code; twice records once; undo), walk-ins, and
closing past events (no-shows after the end plus a grace period; `event_hosted` for events that took place)."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..core.errors import Conflict, NotFound
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import seats
from .models import RSVP, Event
from .rsvps import log

GRACE = timedelta(hours=2)  # after the end: then those who didn't come are no-shows
HOSTED_AT_LEAST = 3  # checked-in attendees for an event to count as hosted


def by_secret(event: Event, secret: str) -> RSVP:
    row = db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.ticket_secret == secret))
    if row is None:
        raise NotFound("This ticket isn't for this event: check the event on the attendee's phone.")
    return row


def check_in(row: RSVP, by, now: datetime | None = None) -> bool:
    """Check the attendee in; True the first time, False when they were checked in already (nothing changes)."""
    now = now or utcnow()
    if row.state == "checked_in":
        return False
    if row.state not in ("going", "no_show"):
        raise Conflict(f"{row.user.name} has no confirmed seat ({row.state.replace('_', ' ')}): add them as a "
                       "walk-in instead.")
    previous = row.state
    if not seats.move(row, (previous,), "checked_in", checked_in_at=now, checked_in_by_id=by.id):
        return False  # another helper checked them in a moment ago
    if previous == "no_show":  # marked a no-show by mistake: they hold their seat again (the event is over)
        if not seats.take(row.event, row.seats):
            seats.raise_capacity(row.event, row.seats)
            seats.take(row.event, row.seats)
        log(row.event, "no_show_corrected", actor=by, member=row.user)
    signals.attendee_checked_in.send(row, event=row.event, by=by)
    return True


def undo(row: RSVP, by) -> RSVP:
    if not seats.move(row, ("checked_in",), "going", checked_in_at=None, checked_in_by_id=None):
        raise Conflict(f"{row.user.name} isn't checked in.")
    log(row.event, "check_in_undone", actor=by, member=row.user)
    return row


def walk_in(event: Event, member, by, *, over_capacity: bool = False, now: datetime | None = None) -> RSVP:
    """Someone at the door without a seat: checked in at once if a seat is free (or over capacity, confirmed)."""
    now = now or utcnow()
    row = db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.user_id == member.id))
    if row is not None and row.state in ("going", "checked_in"):
        check_in(row, by, now)
        return row
    with db.session.begin_nested():
        if not seats.take(event, 1):
            if not over_capacity:
                raise Conflict(f"The event is full. Confirm adding {member.name} over capacity.")
            before = event.capacity
            seats.raise_capacity(event, 1)
            seats.take(event, 1)
            log(event, "capacity_raised", actor=by, member=member, reason=f"from {before} to {event.capacity} "
                "for a walk-in")
        values = {"guests": 0, "checked_in_at": now, "checked_in_by_id": by.id, "walk_in": True}
        if row is None:
            row = RSVP(event=event, user=member, state="checked_in", ticket_secret=secrets.token_urlsafe(32),
                       **values)
            db.session.add(row)
            try:
                db.session.flush()
            except IntegrityError:
                raise Conflict("They were added a moment ago: reload the page.") from None
        elif not seats.move(row, (row.state,), "checked_in", offer_expires_at=None, **values):
            raise Conflict("Their place changed meanwhile: reload the page.")
    if row.state == "checked_in":
        log(event, "walk_in", actor=by, member=member)
        signals.attendee_checked_in.send(row, event=event, by=by)
    return row


def due_for_closing(now: datetime | None = None) -> list[Event]:
    now = now or utcnow()
    return list(db.session.scalars(select(Event).where(Event.status == "published", Event.closed_at.is_(None),
                                                       Event.ends_at <= now - GRACE).order_by(Event.id)))


def close(event: Event, now: datetime | None = None) -> tuple[int, int]:
    """Mark the event's no-shows and close it, once; (checked in, no-shows). Sends `event_hosted` when at least
    HOSTED_AT_LEAST attendees were checked in."""
    now = now or utcnow()
    if event.closed_at is not None or aware(event.ends_at) + GRACE > now:
        return 0, 0
    missing = list(db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "going")))
    for row in missing:
        if seats.move(row, ("going",), "no_show"):
            seats.release(event, row.seats)  # the ledger holds only seats that are in use
    for row in db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "offered")):
        if seats.move(row, ("offered",), "cancelled"):
            seats.release(event, row.seats)
    event.closed_at = now
    came = db.session.scalar(select(db.func.count()).select_from(RSVP).where(RSVP.event_id == event.id,
                                                                           RSVP.state == "checked_in"))
    db.session.flush()
    if came >= HOSTED_AT_LEAST:
        hosts = [host.user for host in event.hosts if host.role in ("host", "cohost")]
        signals.event_hosted.send(event, hosts=hosts, attendees=came)
    return came, len(missing)


CONTRIBUTIONS = {"volunteered": "volunteered", "spoke": "spoke"}


def confirm_contribution(row: RSVP, by, role: str) -> RSVP:
    """A host confirms that a checked-in attendee volunteered or spoke (logged; the programme credits it)."""
    if role not in CONTRIBUTIONS:
        raise Conflict("Confirm a volunteer or a speaker.")
    if row.state != "checked_in":
        raise Conflict(f"{row.user.name} isn't checked in: check them in first.")
    if row.contribution == role:
        return row
    previous = row.contribution
    row.contribution = role
    db.session.flush()
    log(row.event, f"confirmed_{role}", actor=by, member=row.user,
        reason=f"instead of {previous}" if previous else "")
    signals.contribution_confirmed.send(row, event=row.event, by=by, role=role)
    return row
