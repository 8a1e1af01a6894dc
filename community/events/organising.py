"""What organisers do to people's places: approve or decline requests, promote a particular person, move someone
up the queue, add someone over capacity (after an explicit confirmation), remove someone with a message. Each
writes the event's audit log (who, what, when, why)."""

from sqlalchemy import update

from .. import signals
from ..core.errors import Conflict, Invalid
from ..core.timeutil import utcnow
from ..extensions import db
from . import mailing, seats
from .models import RSVP, Event, Invitation
from .rsvps import cancel, log


def approve(row: RSVP, by) -> RSVP:
    """A pending request becomes a seat, or a waitlist place when the event is full (or others wait)."""
    event = row.event
    if row.state != "pending":
        raise Conflict("This request was answered already.")
    with db.session.begin_nested():
        seats.lock(event)
        taken = not seats.anyone_waiting(event) and seats.take(event, row.seats)
        state = "going" if taken else "waitlisted"
        if not seats.move(row, ("pending",), state, queued_at=None if taken else utcnow()):
            raise Conflict("This request was answered already.")
    log(event, "approved", actor=by, member=row.user)
    if taken:
        signals.rsvp_confirmed.send(row, event=event)
        mailing.tell(row, "approved")
    else:
        mailing.tell(row, "approved_waitlisted", position=seats.position(row))
    return row


def decline(row: RSVP, by, reason: str = "") -> RSVP:
    if not seats.move(row, ("pending",), "not_going"):
        raise Conflict("This request was answered already.")
    log(row.event, "declined", actor=by, member=row.user, reason=reason)
    mailing.tell(row, "declined", message=reason)
    return row


def promote_member(row: RSVP, by, *, over_capacity: bool = False, reason: str = "") -> RSVP:
    """Give this waitlisted (or offered) party a confirmed seat now. When no seat is free, only with
    `over_capacity` (the organiser confirmed): the capacity rises by what the party needs."""
    event = row.event
    seats.lock(event)
    if row.state not in ("waitlisted", "offered"):
        raise Conflict(f"{row.user.name} isn't on the waitlist any more.")
    if row.state == "offered":  # the seat is held already: confirm it
        if not seats.move(row, ("offered",), "going", offer_expires_at=None):
            raise Conflict("Their place changed meanwhile: reload the page.")
    else:
        with db.session.begin_nested():
            if not seats.take(event, row.seats):
                if not over_capacity:
                    raise Conflict(f"No seat is free for {row.user.name}'s party of {row.seats}. Confirm adding "
                                   "them over capacity, or wait for a seat.")
                before = event.capacity
                seats.raise_capacity(event, row.seats)
                log(event, "capacity_raised", actor=by, member=row.user,
                    reason=f"from {before} to {event.capacity} to add them over capacity")
                seats.take(event, row.seats)
            if not seats.move(row, ("waitlisted",), "going", offer_expires_at=None):
                raise Conflict("Their place changed meanwhile: reload the page.")
    log(event, "promoted", actor=by, member=row.user, reason=reason)
    signals.waitlist_promoted.send(row, event=event, by=by)
    signals.rsvp_confirmed.send(row, event=event)
    mailing.tell(row, "promoted")
    return row


def set_priority(row: RSVP, by, priority: int, reason: str = "") -> RSVP:
    """A higher priority stands earlier in the queue (first-timers first, say)."""
    if not -100 <= priority <= 100:
        raise Invalid("Priority runs from -100 to 100 (higher goes first).", field="priority")
    if row.state != "waitlisted":
        raise Conflict(f"{row.user.name} isn't on the waitlist.")
    db.session.execute(update(RSVP).where(RSVP.id == row.id).values(priority=priority)
                       .execution_options(synchronize_session=False))
    db.session.refresh(row)
    log(row.event, "priority", actor=by, member=row.user, reason=f"priority {priority}. {reason}".strip())
    return row


def remove(row: RSVP, by, reason: str) -> RSVP:
    """Cancel someone's place, with a message they read in the mail (required: they deserve to know why)."""
    if len(reason.strip()) < 5:
        raise Invalid("Say in a sentence why: the member reads it in their mail.", field="reason")
    return cancel(row, by=by, reason=reason)


def invite(event: Event, by, email: str) -> Invitation:
    """A personal invite link for one person (it skips approval; it works once)."""
    import secrets

    invitation = Invitation(event_id=event.id, token=secrets.token_urlsafe(32), email=email.strip(),
                            created_by_id=by.id)
    db.session.add(invitation)
    db.session.flush()
    log(event, "invited", actor=by, reason=email.strip())
    return invitation
