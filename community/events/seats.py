"""The seats ledger and the waitlist: the part of events that must never be wrong.

- `events.seats_taken` changes only here, by one conditional UPDATE (`… WHERE seats_taken + n <= capacity`,
  checked by its rowcount) in the same transaction as the RSVP row. Two requests for the last seat: one UPDATE
  matches, the other matches nothing and its member joins the waitlist. Nothing is read first and decided later.
- An RSVP changes state only by a conditional UPDATE too (`… WHERE id = :id AND state IN (…)`): an organiser's
  promotion racing the automatic one moves a member once, and the seat is taken once.
- Promotion runs in the transaction that frees the seats: the queue (priority, then join time) is walked and the
  first parties whose whole party fits are moved up, until no seat is left.

Functions flush nothing of their own and never commit; they return what they changed.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.timeutil import aware, utcnow
from ..extensions import db
from .models import RSVP, WAITING, Event


def take(event: Event, seats: int) -> bool:
    """Take `seats` if they fit under the capacity; False (nothing changed) when they don't."""
    if seats <= 0:
        return True
    condition = [Event.id == event.id]
    if event.capacity is not None:
        condition.append(Event.seats_taken + seats <= Event.capacity)
    taken = db.session.execute(
        update(Event).where(*condition).values(seats_taken=Event.seats_taken + seats).returning(Event.seats_taken)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        refresh_count(event)
        return False
    set_committed_value(event, "seats_taken", taken)
    return True


def release(event: Event, seats: int) -> None:
    if seats <= 0:
        return
    left = db.session.execute(
        update(Event).where(Event.id == event.id).values(seats_taken=Event.seats_taken - seats)
        .returning(Event.seats_taken).execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(event, "seats_taken", left)


def raise_capacity(event: Event, seats: int) -> None:
    """Make room for `seats` more than are free now (an organiser adding someone over capacity, confirmed)."""
    capacity = db.session.execute(
        update(Event).where(Event.id == event.id).values(capacity=Event.seats_taken + seats)
        .returning(Event.capacity).execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(event, "capacity", capacity)


def refresh_count(event: Event) -> None:
    set_committed_value(event, "seats_taken",
                        db.session.scalar(select(Event.seats_taken).where(Event.id == event.id)))


def move(rsvp: RSVP, from_states: tuple[str, ...], to_state: str, **values) -> bool:
    """Change the RSVP's state if it is still in one of `from_states`; False when another request moved it first."""
    values = {"state": to_state, "updated_at": utcnow(), **values}
    moved = db.session.execute(
        update(RSVP).where(RSVP.id == rsvp.id, RSVP.state.in_(from_states)).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.refresh(rsvp)
        return False
    for name, value in values.items():
        set_committed_value(rsvp, name, value)
    return True


def lock(event: Event) -> None:
    """Wait for any other transaction that is changing this event's places, and make later ones wait for this one
    until it commits: PostgreSQL locks the event's row (FOR NO KEY UPDATE, which RSVP inserts' foreign-key checks
    don't wait for); on SQLite BEGIN IMMEDIATE has serialised the writers already. Whether a seat is free, whether
    anyone waits, a join time read after this call and a waitlist position counted after it are then all decided
    in commit order, so none of them can be overtaken by a transaction that commits meanwhile."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update(key_share=True))


def anyone_waiting(event: Event) -> bool:
    """Someone is on the waitlist or holds an offer: a newcomer queues behind them even if a seat is free."""
    return db.session.scalar(select(exists().where(RSVP.event_id == event.id, RSVP.state.in_(WAITING))))


def queue_order():
    return RSVP.priority.desc(), RSVP.queued_at, RSVP.id


def position(rsvp: RSVP) -> int | None:
    """1 for the first in the queue; None when not waitlisted. One COUNT of those ahead in the queue order."""
    if rsvp.state != "waitlisted":
        return None
    same, queued = RSVP.priority == rsvp.priority, RSVP.queued_at
    ahead = or_(RSVP.priority > rsvp.priority,
                and_(same, queued < rsvp.queued_at),
                and_(same, queued == rsvp.queued_at, RSVP.id < rsvp.id))
    return 1 + db.session.scalar(select(func.count()).select_from(RSVP).where(
        RSVP.event_id == rsvp.event_id, RSVP.state == "waitlisted", ahead))


def offers_now(event: Event, now: datetime) -> bool:
    """Promotion offers a seat to claim (rather than confirming it) in offer mode, and in auto mode inside the
    offer cutoff: close to the start, a seat given to someone who can no longer come would stay empty."""
    if event.waitlist_mode == "offer":
        return True
    cutoff = event.offer_cutoff_hours
    return cutoff is not None and now >= aware(event.starts_at) - timedelta(hours=cutoff)


def promotion_closed(event: Event, now: datetime) -> bool:
    return now >= aware(event.starts_at) - timedelta(hours=event.final_cutoff_hours) or event.status != "published"


def promote(event: Event, now: datetime | None = None) -> list[RSVP]:
    """Move the first waitlisted parties that fit into the free seats (confirmed, or offered for the claim window);
    return them. Parties too large for what is free keep their place; smaller ones behind them may go first."""
    now = now or utcnow()
    if event.capacity is None or promotion_closed(event, now):
        return []
    refresh_count(event)
    free = event.capacity - event.seats_taken
    promoted = []
    if free <= 0:
        return promoted
    offering = offers_now(event, now)
    queue = select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "waitlisted").order_by(*queue_order())
    for rsvp in db.session.scalars(queue).all():
        if rsvp.seats > free:
            continue
        state, values = ("offered", {"offer_expires_at": now + timedelta(hours=event.claim_hours)}) if offering \
            else ("going", {"offer_expires_at": None})
        if not move(rsvp, ("waitlisted",), state, **values):
            continue  # another request promoted or removed them a moment ago
        if not take(event, rsvp.seats):  # another request took the seats meanwhile: back in the queue, same place
            move(rsvp, (state,), "waitlisted", offer_expires_at=None)
            break
        promoted.append(rsvp)
        free = event.capacity - event.seats_taken
        if free <= 0:
            break
    return promoted


def expired_offers(event: Event, now: datetime) -> list[RSVP]:
    query = select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "offered", RSVP.offer_expires_at <= now)
    return list(db.session.scalars(query))
