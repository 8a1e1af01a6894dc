"""Reads for the events pages and calendars, each with a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.timeutil import aware, utcnow
from ..extensions import db
from .models import HOLDING, RSVP, Chapter, ChapterMember, Event, EventHost, EventLog, Invitation
from .permissions import may_see, organises
from .seats import position

PER_PAGE = 20
CANCELLED_KEPT = timedelta(days=30)  # cancelled events stay in feeds (STATUS:CANCELLED) this long


def _listed(viewer):
    """Published and cancelled events (a cancelled one shows as such); members-only ones for members."""
    conditions = [Event.status.in_(("published", "cancelled")), Event.published_at.is_not(None)]
    if not getattr(viewer, "is_authenticated", False):
        conditions.append(Event.visibility == "public")
    return conditions


def _with_people(query):
    return query.options(joinedload(Event.chapter),
                         selectinload(Event.hosts).joinedload(EventHost.user))


@dataclass
class Page:
    events: list
    next_after: str | None


def _cursor(event: Event) -> str:
    return f"{int(aware(event.starts_at).timestamp() * 1_000_000)}.{event.id}"


def _parse_cursor(after: str | None):
    if not after:
        return None
    stamp, _, ident = after.partition(".")
    if not (stamp.isdigit() and ident.isdigit()) or len(stamp) > 18 or len(ident) > 10:
        abort(404)
    from datetime import UTC

    return datetime.fromtimestamp(int(stamp) / 1_000_000, UTC), int(ident)


def upcoming(viewer, *, chapter: Chapter | None = None, after: str | None = None, now: datetime | None = None,
             per_page: int = PER_PAGE) -> Page:
    """Events that haven't ended, soonest first, keyset-paged by (start, id). 3 queries."""
    now = now or utcnow()
    query = select(Event).where(*_listed(viewer), Event.ends_at > now)
    if chapter is not None:
        query = query.where(Event.chapter_id == chapter.id)
    key = _parse_cursor(after)
    if key is not None:
        query = query.where(or_(Event.starts_at > key[0], and_(Event.starts_at == key[0], Event.id > key[1])))
    rows = list(db.session.scalars(_with_people(query.order_by(Event.starts_at, Event.id).limit(per_page + 1)))
                .unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows, _cursor(rows[-1]) if more else None)


def past(viewer, chapter: Chapter, now: datetime | None = None, limit: int = 10) -> list[Event]:
    """The chapter's latest past events (its history), newest first. 3 queries."""
    now = now or utcnow()
    query = select(Event).where(*_listed(viewer), Event.chapter_id == chapter.id, Event.ends_at <= now,
                                Event.status == "published")
    return list(db.session.scalars(_with_people(query.order_by(Event.starts_at.desc(), Event.id.desc())
                                                .limit(limit))).unique())


def my_places(viewer, events) -> dict[int, RSVP]:
    """The viewer's RSVPs among `events`, by event id. 1 query (none when signed out)."""
    if not getattr(viewer, "is_authenticated", False) or not events:
        return {}
    rows = db.session.scalars(select(RSVP).where(RSVP.user_id == viewer.id,
                                                 RSVP.event_id.in_([event.id for event in events])))
    return {row.event_id: row for row in rows}


def chapters() -> list[Chapter]:
    """Every chapter with its organisers. 2 queries."""
    return list(db.session.scalars(select(Chapter).options(selectinload(Chapter.organisers)).order_by(Chapter.name)))


def chapter_or_404(slug: str) -> Chapter:
    chapter = db.session.scalar(select(Chapter).where(Chapter.slug == slug)
                                .options(selectinload(Chapter.organisers)))
    if chapter is None:
        abort(404)
    return chapter


def is_chapter_member(chapter: Chapter, viewer) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    return db.session.get(ChapterMember, (chapter.id, viewer.id)) is not None


def event_or_404(event_id: int, viewer) -> Event:
    event = db.session.scalar(_with_people(select(Event).where(Event.id == event_id)))
    if event is None or not may_see(viewer, event):
        abort(404)
    return event


@dataclass
class Counts:
    going: int  # people holding seats (with their guests: seats_taken)
    waitlisted: int
    pending: int
    checked_in: int


def counts(event: Event) -> Counts:
    """How many are going, waiting, asking, checked in. 1 query."""
    rows = dict(db.session.execute(select(RSVP.state, func.count()).where(RSVP.event_id == event.id)
                                   .group_by(RSVP.state)).all())
    return Counts(going=sum(rows.get(state, 0) for state in HOLDING), waitlisted=rows.get("waitlisted", 0),
                  pending=rows.get("pending", 0), checked_in=rows.get("checked_in", 0))


@dataclass
class Place:
    """The viewer's place at the event page: their RSVP, and their waitlist position."""

    rsvp: RSVP | None
    position: int | None
    organiser: bool
    helper: bool = False
    survey_open: bool = False

    @property
    def going(self) -> bool:
        return self.rsvp is not None and self.rsvp.state in ("going", "checked_in")


def place(event: Event, viewer) -> Place:
    """2 queries at most."""
    if not getattr(viewer, "is_authenticated", False):
        return Place(None, None, False)
    row = db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.user_id == viewer.id))
    helper = any(host.user_id == viewer.id for host in event.hosts)
    survey_open = row is not None and row.state == "checked_in" and aware(event.ends_at) <= utcnow()
    return Place(row, position(row) if row is not None else None, organises(viewer, event), helper, survey_open)


def attendees_shown(event: Event, viewer_place: Place) -> list:
    """Who else is going, for attendees only, and only those who opted in to be listed. 1 query."""
    if not viewer_place.going and not viewer_place.organiser:
        return []
    rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state.in_(("going", "checked_in")),
                                                 RSVP.show_in_list.is_(True))
                              .options(joinedload(RSVP.user)).order_by(RSVP.id))
    return [row.user for row in rows]


def people(event: Event) -> dict[str, list[RSVP]]:
    """Everyone with a place or a request, by state, the waitlist in queue order (the organisers' page). 1 query."""
    from .seats import queue_order

    rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id).options(joinedload(RSVP.user))
                              .order_by(*queue_order()))
    grouped: dict[str, list[RSVP]] = {}
    for row in rows:
        grouped.setdefault(row.state, []).append(row)
    return grouped


def audit_log(event: Event, limit: int = 100) -> list[EventLog]:
    return list(db.session.scalars(select(EventLog).where(EventLog.event_id == event.id)
                                   .options(joinedload(EventLog.actor), joinedload(EventLog.member))
                                   .order_by(EventLog.id.desc()).limit(limit)))


def invitation_for(event: Event, token: str | None) -> Invitation | None:
    if not token:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.event_id == event.id, Invitation.token == token,
                                                      Invitation.used_at.is_(None)))


def held_seats(event: Event) -> int:
    """What the RSVPs hold: it equals `events.seats_taken` (the ledger's own check)."""
    return db.session.scalar(select(func.coalesce(func.sum(1 + RSVP.guests), 0))
                             .where(RSVP.event_id == event.id, RSVP.state.in_(HOLDING)))


# Calendars -------------------------------------------------------------------------------------------------------

def feed(chapter: Chapter | None = None, now: datetime | None = None) -> list[Event]:
    """A public feed: published events from 30 days ago on, and cancelled ones for 30 days after cancelling."""
    now = now or utcnow()
    query = select(Event).where(Event.visibility == "public", Event.published_at.is_not(None), or_(
        and_(Event.status == "published", Event.ends_at > now - CANCELLED_KEPT),
        and_(Event.status == "cancelled", Event.cancelled_at > now - CANCELLED_KEPT)))
    if chapter is not None:
        query = query.where(Event.chapter_id == chapter.id)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(500)))


def my_feed(member, now: datetime | None = None) -> tuple[list[Event], set[int], set[int]]:
    """The member's own calendar: events they're going to or waiting for (tentative); their ids by kind."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Event, RSVP.state).join(RSVP, RSVP.event_id == Event.id)
        .where(RSVP.user_id == member.id, RSVP.state.in_(("going", "checked_in", "offered", "waitlisted")),
               Event.status.in_(("published", "cancelled")), Event.ends_at > now - CANCELLED_KEPT)
        .order_by(Event.starts_at, Event.id)).all()
    going = {event.id for event, state in rows if state in ("going", "checked_in")}
    waiting = {event.id for event, state in rows if state in ("offered", "waitlisted")}
    return [event for event, _ in rows], going, waiting


def search_items(hits, viewer) -> dict[int, Event]:
    """The events behind search hits, checked again against the database (published, and visible to the viewer).
    1 query, none without event hits."""
    ids = {hit.id for hit in hits if hit.kind == "event"}
    if not ids:
        return {}
    query = select(Event).where(Event.id.in_(ids), Event.status == "published").options(joinedload(Event.chapter))
    if not getattr(viewer, "is_authenticated", False):
        query = query.where(Event.visibility == "public")
    return {event.id: event for event in db.session.scalars(query)}


def door_list(event: Event, q: str = "", limit: int = 200) -> list[RSVP]:
    """Who may come in (going, checked in, no-shows), matching `q` by name or username, by name. 1 query."""
    from ..accounts.models import User

    query = (select(RSVP).join(RSVP.user).options(joinedload(RSVP.user))
             .where(RSVP.event_id == event.id, RSVP.state.in_(("going", "checked_in", "no_show"))))
    if q:
        pattern = f"%{q.lower().replace('%', '').replace('_', '')}%"
        query = query.where(or_(func.lower(User.display_name).like(pattern), User.username_key.like(pattern)))
    return list(db.session.scalars(query.order_by(func.lower(User.display_name), User.id).limit(limit)))


def export_rows(event: Event) -> list[RSVP]:
    """Everyone who is, was or may be coming, for the attendee export. 1 query."""
    return list(db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state.in_(
        ("going", "checked_in", "no_show", "offered", "waitlisted"))).options(joinedload(RSVP.user))
        .order_by(RSVP.state, RSVP.id)))


@dataclass
class Attendance:
    checked_in: int
    no_shows: int

    @property
    def no_show_rate(self) -> int | None:
        total = self.checked_in + self.no_shows
        return round(100 * self.no_shows / total) if total else None


def attendance(event: Event | None = None, *, chapter: Chapter | None = None, host=None) -> Attendance:
    """Checked in and no-shows for an event, a chapter's events or a host's: for organisers only (members never
    see others' no-show figures). 1 query."""
    query = select(func.count().filter(RSVP.state == "checked_in"), func.count().filter(RSVP.state == "no_show"))
    if event is not None:
        query = query.where(RSVP.event_id == event.id)
    if chapter is not None:
        query = query.where(RSVP.event_id.in_(select(Event.id).where(Event.chapter_id == chapter.id)))
    if host is not None:
        query = query.where(RSVP.event_id.in_(select(EventHost.event_id).where(
            EventHost.user_id == host.id, EventHost.role.in_(("host", "cohost")))))
    checked_in, no_shows = db.session.execute(query).one()
    return Attendance(checked_in, no_shows)
