"""Members' places at events: RSVP, change guests, cancel, claim an offer; offers that expire. Every seat goes
through seats.py in the same transaction as the RSVP row; mails are queued (sent after the commit)."""

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..core.errors import Conflict, Invalid, NotAllowed, NotFound
from ..core.timeutil import aware, local, utcnow
from ..extensions import db
from . import mailing, seats
from .models import HOLDING, RSVP, Event, EventLog, Invitation

ACTIVE = ("going", "waitlisted", "offered", "pending", "checked_in")
ALREADY = {
    "going": "You're already going. To bring guests, change the number of guests.",
    "checked_in": "You're checked in already.",
    "waitlisted": "You're on the waitlist already: we mail you as soon as a seat is yours.",
    "offered": "A seat is held for you: claim it below.",
    "pending": "Your request is with the organisers: we mail you when they decide.",
}


def log(event: Event, action: str, *, actor=None, member=None, reason: str = "") -> None:
    db.session.add(EventLog(event_id=event.id, actor_id=getattr(actor, "id", None),
                            member_id=getattr(member, "id", None), action=action, reason=reason.strip()))


def _open(event: Event, now: datetime) -> None:
    if event.status == "cancelled":
        raise Conflict("This event is cancelled, so it takes no RSVPs.")
    if event.status != "published":
        raise NotFound("This event isn't published yet.")
    if now >= aware(event.ends_at):
        raise Conflict("This event has ended.")
    if event.rsvp_opens_at and now < aware(event.rsvp_opens_at):
        raise Conflict(f"RSVPs open on {local(event.rsvp_opens_at, event.time_zone):%-d %B at %H:%M} "
                       f"({event.time_zone}).")
    if event.rsvp_closes_at and now >= aware(event.rsvp_closes_at):
        raise Conflict("RSVPs for this event have closed.")


def _guests(event: Event, guests: int) -> int:
    if not 0 <= guests <= event.max_guests:
        if event.max_guests == 0:
            raise Invalid("This event has no places for guests: each person RSVPs for themselves.", field="guests")
        raise Invalid(f"Bring up to {event.max_guests} guests.", field="guests")
    return guests


def mine(event: Event, member) -> RSVP | None:
    return db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.user_id == member.id))


def _seat_or_queue(event: Event, party: int) -> str:
    """'going' with the seats taken, or 'waitlisted': full, or others wait already (they go first)."""
    if seats.anyone_waiting(event) or not seats.take(event, party):
        return "waitlisted"
    return "going"


def rsvp(event: Event, member, guests: int = 0, *, invitation: Invitation | None = None,
         now: datetime | None = None) -> RSVP:
    """The member's RSVP: going (a seat was free), waitlisted, or pending approval. Raises Conflict, Invalid,
    NotAllowed or NotFound with the sentence the member reads."""
    seats.lock(event)  # one change to this event's places at a time, from here to the commit
    now = now or utcnow()  # read after the lock: join times in commit order
    _open(event, now)
    guests = _guests(event, guests)
    expire_offers(event, now)
    existing = mine(event, member)
    if existing is not None and existing.state in ACTIVE:
        if existing.guests != guests and existing.state != "checked_in":
            return change_guests(existing, guests)
        raise Conflict(ALREADY[existing.state])
    if event.join_policy == "invite" and invitation is None:
        raise NotAllowed("This event is by invitation: open the personal link in your invitation to RSVP.")
    try:
        with db.session.begin_nested():  # the seats and the row together, or neither
            state = "pending" if event.join_policy == "approval" and invitation is None else \
                _seat_or_queue(event, 1 + guests)
            row = _write(event, member, existing, state, guests, now)
            if invitation is not None:
                _use(invitation, member, now)
    except IntegrityError:
        raise Conflict("You replied to this event a moment ago, in another window: reload the page.") from None
    _announce(row, now)
    return row


def _write(event: Event, member, existing: RSVP | None, state: str, guests: int, now: datetime) -> RSVP:
    queued = now if state == "waitlisted" else None
    if existing is None:
        row = RSVP(event=event, user=member, state=state, guests=guests, queued_at=queued,
                   ticket_secret=secrets.token_urlsafe(32), created_at=now, updated_at=now)
        db.session.add(row)
        db.session.flush()
        return row
    if not seats.move(existing, ("cancelled", "not_going"), state, guests=guests, queued_at=queued,
                      offer_expires_at=None, priority=0):
        raise IntegrityError("rsvp moved meanwhile", None, Exception())
    return existing


def _use(invitation: Invitation, member, now: datetime) -> None:
    used = db.session.execute(update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                              .values(used_at=now, user_id=member.id)).rowcount
    if used != 1:
        raise NotAllowed("This invitation link was used already. Ask the organisers for a new one.")


def _announce(row: RSVP, now: datetime) -> None:
    if row.state == "going":
        signals.rsvp_confirmed.send(row, event=row.event)
        mailing.tell(row, "confirmed")
    elif row.state == "waitlisted":
        mailing.tell(row, "waitlisted", position=seats.position(row))
    else:
        mailing.tell(row, "pending")


def change_guests(row: RSVP, guests: int, now: datetime | None = None) -> RSVP:
    now = now or utcnow()
    event = row.event
    seats.lock(event)
    _open(event, now)
    guests = _guests(event, guests)
    delta = guests - row.guests
    if row.state not in HOLDING:
        if not seats.move(row, ("waitlisted", "pending"), row.state, guests=guests):
            raise Conflict("Your place changed meanwhile: reload the page.")
        return row
    if delta > 0 and (seats.anyone_waiting(event) or not seats.take(event, delta)):
        raise Conflict(f"There are no seats for {delta} more: the event is full or others are waiting. "
                       "Your place stays as it was.")
    if not seats.move(row, (row.state,), row.state, guests=guests):
        raise Conflict("Your place changed meanwhile: reload the page.")
    if delta < 0:
        seats.release(event, -delta)
        promote(event, now)
    return row


def cancel(row: RSVP, *, by=None, reason: str = "", now: datetime | None = None) -> RSVP:
    """Give up a place (seat, offer, waitlist spot or request); freed seats go to the queue in this transaction.
    `by` another person: an organiser removing the member (logged, and the member is told why)."""
    seats.lock(row.event)
    now = now or utcnow()
    previous = row.state
    if previous not in ("going", "waitlisted", "offered", "pending"):
        raise Conflict("There is no place to cancel: you're not going or waiting.")
    if not seats.move(row, (previous,), "cancelled", offer_expires_at=None):
        raise Conflict("Your place changed meanwhile: reload the page.")
    event = row.event
    if previous in HOLDING:
        seats.release(event, row.seats)
    organiser = by is not None and by.id != row.user_id
    if organiser:
        log(event, "removed", actor=by, member=row.user, reason=reason)
    signals.rsvp_cancelled.send(row, event=event, by=by or row.user, previous=previous)
    if organiser:
        mailing.tell(row, "removed", message=reason)
    elif previous in HOLDING:
        mailing.tell(row, "cancelled")
    promote(event, now)
    return row


def claim(row: RSVP, now: datetime | None = None) -> RSVP:
    """Take the seat held for me during the claim window."""
    now = now or utcnow()
    if row.state != "offered":
        raise Conflict("There is no seat held for you at the moment.")
    if aware(row.offer_expires_at) <= now:
        raise Conflict("The time to claim this seat has passed, and it went to the next person waiting. Join the "
                       "waitlist again if you'd still like to come.")
    if not seats.move(row, ("offered",), "going", offer_expires_at=None):
        raise Conflict("Your place changed meanwhile: reload the page.")
    signals.rsvp_confirmed.send(row, event=row.event)
    mailing.tell(row, "confirmed")
    return row


def promote(event: Event, now: datetime | None = None, by=None) -> list[RSVP]:
    """The queue's turn for the free seats (seats.promote), with the signals and mails that go with it."""
    promoted = seats.promote(event, now)
    for row in promoted:
        signals.waitlist_promoted.send(row, event=event, by=by)
        if row.state == "going":
            signals.rsvp_confirmed.send(row, event=event)
            mailing.tell(row, "promoted")
        else:
            mailing.tell(row, "offered")
    return promoted


def expire_offers(event: Event, now: datetime | None = None) -> list[RSVP]:
    """Offers whose claim window has passed: the seat goes back to the queue (logged, the member told)."""
    now = now or utcnow()
    expired = []
    for row in seats.expired_offers(event, now):
        if seats.move(row, ("offered",), "cancelled"):
            seats.release(event, row.seats)
            log(event, "offer_expired", member=row.user)
            mailing.tell(row, "offer_expired")
            expired.append(row)
    if expired:
        promote(event, now)
    return expired
