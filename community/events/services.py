"""Every write to events themselves: create, edit (SEQUENCE, the people told), publish, cancel, hosts, chapters.
Places at an event are in rsvps.py (members) and organising.py (organisers); seats in seats.py."""

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update

from .. import signals
from ..core import text
from ..core.errors import Invalid
from ..core.timeutil import WallTimeProblem, aware, is_zone, utcnow, wall_to_utc
from ..extensions import db
from . import mailing, rsvps
from .models import (
    HOST_ROLES,
    JOIN_POLICIES,
    KINDS,
    RSVP,
    VISIBILITIES,
    WAITLIST_MODES,
    Chapter,
    ChapterMember,
    Event,
    EventHost,
)

# What a change to these means for the calendars that hold the event: a new SEQUENCE, and a mail to those going.
TIME_AND_PLACE = ("starts_at", "ends_at", "time_zone", "kind", "venue", "address", "online_url")


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].rstrip("-") or "event"


@dataclass
class Details:
    """What an organiser enters for an event (the form's fields, as plain values)."""

    title: str
    local_start: datetime  # wall times in time_zone, naive
    local_end: datetime
    time_zone: str
    description: str = ""
    kind: str = "in_person"
    venue: str = ""
    address: str = ""
    online_url: str = ""
    chapter: Chapter | None = None
    capacity: int | None = None
    max_guests: int = 0
    rsvp_opens_local: datetime | None = None
    rsvp_closes_local: datetime | None = None
    visibility: str = "public"
    join_policy: str = "open"
    waitlist_mode: str = "auto"
    claim_hours: int = 12
    offer_cutoff_hours: int | None = 48
    final_cutoff_hours: int = 2


def _utc(wall: datetime, zone: str, field: str) -> datetime:
    try:
        return wall_to_utc(wall, zone)
    except WallTimeProblem as exc:
        raise Invalid(str(exc), field=field) from None


def _columns(details: Details) -> dict:
    """The Event columns `details` stand for; raises Invalid naming the field at fault."""
    title = " ".join(details.title.split())
    if not 5 <= len(title) <= 200:
        raise Invalid("A title has 5 to 200 characters.", field="title")
    if not is_zone(details.time_zone):
        raise Invalid("Pick the event's time zone from the list.", field="time_zone")
    checks = [(details.kind in KINDS, "kind", "Pick in person, online or hybrid."),
              (details.visibility in VISIBILITIES, "visibility", "Pick who may see the event."),
              (details.join_policy in JOIN_POLICIES, "join_policy", "Pick how people join."),
              (details.waitlist_mode in WAITLIST_MODES, "waitlist_mode", "Pick how the waitlist moves up."),
              (details.capacity is None or 1 <= details.capacity <= 100_000, "capacity",
               "Capacity is a number of seats from 1, or empty for no limit."),
              (0 <= details.max_guests <= 20, "max_guests", "Guests per RSVP: 0 to 20."),
              (1 <= details.claim_hours <= 168, "claim_hours", "A claim window lasts 1 to 168 hours."),
              (details.kind == "online" or details.venue.strip(), "venue", "Name the venue of an in-person event."),
              (details.kind == "in_person" or _is_link(details.online_url), "online_url",
               "Give the online event's link, starting with https://.")]
    for ok, field, message in checks:
        if not ok:
            raise Invalid(message, field=field)
    starts = _utc(details.local_start, details.time_zone, "local_start")
    ends = _utc(details.local_end, details.time_zone, "local_end")
    if not timedelta(minutes=5) <= ends - starts <= timedelta(days=14):
        raise Invalid("An event ends 5 minutes to 14 days after it starts.", field="local_end")
    opens = details.rsvp_opens_local and _utc(details.rsvp_opens_local, details.time_zone, "rsvp_opens_local")
    closes = details.rsvp_closes_local and _utc(details.rsvp_closes_local, details.time_zone, "rsvp_closes_local")
    if opens and closes and closes <= opens:
        raise Invalid("RSVPs must close after they open.", field="rsvp_closes_local")
    return {
        "title": title, "slug": slugify(title), "description": details.description.strip(),
        "description_html": text.render(details.description), "kind": details.kind,
        "venue": details.venue.strip() if details.kind != "online" else "",
        "address": details.address.strip() if details.kind != "online" else "",
        "online_url": details.online_url.strip() if details.kind != "in_person" else "",
        "chapter_id": details.chapter.id if details.chapter else None, "time_zone": details.time_zone,
        "local_start": details.local_start, "starts_at": starts,
        "ends_at": ends,
        "capacity": details.capacity, "max_guests": details.max_guests, "rsvp_opens_at": opens,
        "rsvp_closes_at": closes, "visibility": details.visibility, "join_policy": details.join_policy,
        "waitlist_mode": details.waitlist_mode, "claim_hours": details.claim_hours,
        "offer_cutoff_hours": details.offer_cutoff_hours, "final_cutoff_hours": details.final_cutoff_hours,
    }


def _is_link(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= 500


def create_event(by, details: Details, hosts=(), *, publish: bool = False) -> Event:
    """A new event (a draft unless `publish`); `hosts` are (User, role) pairs, the creator hosting by default."""
    now = utcnow()
    event = Event(**_columns(details), created_by_id=by.id, created_at=now, updated_at=now, status="draft")
    db.session.add(event)
    set_hosts(event, list(hosts) or [(by, "host")])
    db.session.flush()
    if publish:
        publish_event(event, by)
    return event


def set_hosts(event: Event, hosts) -> None:
    """Replace the event's hosts, co-hosts and helpers with `hosts` ((User, role) pairs, first role wins)."""
    chosen = {}
    for user, role in hosts:
        if role not in HOST_ROLES:
            raise Invalid("A host is a host, a co-host or a check-in helper.", field="hosts")
        chosen.setdefault(user.id, (user, role))
    if not any(role in ("host", "cohost") for _, role in chosen.values()):
        raise Invalid("An event needs at least one host or co-host.", field="hosts")
    event.hosts = [EventHost(user=user, role=role, position=number)
                   for number, (user, role) in enumerate(chosen.values())]


def update_event(event: Event, by, details: Details, now: datetime | None = None) -> list[str]:
    """Apply `details`; return what changed for the people going (time, place), who are told by mail."""
    now = now or utcnow()
    values = _columns(details)
    if values["capacity"] is not None and values["capacity"] < event.seats_taken:
        raise Invalid(f"{event.seats_taken} seats are taken: the capacity can't go below that. Cancel places "
                      "first, or keep the capacity.", field="capacity")
    changed = [name for name in TIME_AND_PLACE if _differs(getattr(event, name), values[name])]
    more_room = event.capacity is not None and (values["capacity"] is None or values["capacity"] > event.capacity)
    for name, value in values.items():
        setattr(event, name, value)
    event.updated_at = now
    if changed:
        event.sequence += 1
    db.session.flush()
    if more_room:
        rsvps.promote(event, now)
    words = _change_words(changed)
    if words and event.status == "published":
        for row in _people_holding(event, ("going", "offered", "waitlisted")):
            mailing.tell(row, "changed", changes=words)
    return changed


def _differs(old, new) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return aware(old) != aware(new)
    return (old or None) != (new or None)


def _change_words(changed: list[str]) -> str:
    parts = []
    if {"starts_at", "ends_at", "time_zone"} & set(changed):
        parts.append("the time")
    if {"kind", "venue", "address", "online_url"} & set(changed):
        parts.append("the place")
    return " and ".join(parts)


def _people_holding(event: Event, states) -> list[RSVP]:
    return list(db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state.in_(states))))


def publish_event(event: Event, by, now: datetime | None = None) -> Event:
    if event.status != "draft":
        raise Invalid("Only a draft is published.")
    now = now or utcnow()
    if aware(event.starts_at) <= now:
        raise Invalid("This event's start has passed: move it to a later time before publishing.",
                      field="local_start")
    event.status, event.published_at, event.updated_at = "published", now, now
    db.session.flush()
    if event.chapter_id is not None:
        from .announcing import announce  # (chapter members hear of it, as their mail settings allow)

        announce(event)
    return event


def cancel_event(event: Event, by, reason: str = "", now: datetime | None = None) -> Event:
    """Cancel for everyone: the event stays in feeds as STATUS:CANCELLED; each person with a place is told."""
    if event.status == "cancelled":
        raise Invalid("This event is cancelled already.")
    now = now or utcnow()
    was_published = event.status == "published"
    event.status, event.cancelled_at, event.updated_at = "cancelled", now, now
    event.sequence += 1
    rsvps.log(event, "event_cancelled", actor=by, reason=reason)
    db.session.flush()
    if was_published:
        for row in _people_holding(event, ("going", "offered", "waitlisted", "pending", "checked_in")):
            mailing.tell(row, "event_cancelled", message=reason)
    signals.event_cancelled.send(event, by=by, reason=reason)
    return event


# Chapters ----------------------------------------------------------------------------------------------------------

def save_chapter(chapter: Chapter | None, *, name: str, city: str, topic: str, time_zone: str, description: str,
                 organisers) -> Chapter:
    """Create (chapter None) or update a chapter; organisers are Users (managers or advocates)."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 80:
        raise Invalid("A chapter's name has 2 to 80 characters.", field="name")
    if not is_zone(time_zone):
        raise Invalid("Pick the chapter's time zone from the list.", field="time_zone")
    slug = slugify(name)
    taken = db.session.scalar(select(Chapter.id).where(Chapter.slug == slug))
    if taken is not None and (chapter is None or taken != chapter.id):
        raise Invalid("Another chapter has this name: pick another one.", field="name")
    if chapter is None:
        chapter = Chapter()
        db.session.add(chapter)
    chapter.name, chapter.slug, chapter.city, chapter.topic = name, slug, city.strip() or None, topic.strip() or None
    chapter.time_zone, chapter.description = time_zone, description.strip()
    chapter.description_html = text.render(description)
    chapter.organisers = list({user.id: user for user in organisers}.values())
    db.session.flush()
    return chapter


def join_chapter(chapter: Chapter, member) -> bool:
    """Join (True), or nothing when already a member (False)."""
    if db.session.get(ChapterMember, (chapter.id, member.id)) is not None:
        return False
    with db.session.begin_nested():
        db.session.add(ChapterMember(chapter_id=chapter.id, user_id=member.id))
    db.session.execute(update(Chapter).where(Chapter.id == chapter.id)
                       .values(member_count=Chapter.member_count + 1))
    return True


def leave_chapter(chapter: Chapter, member) -> bool:
    gone = db.session.execute(delete(ChapterMember).where(ChapterMember.chapter_id == chapter.id,
                                                          ChapterMember.user_id == member.id)).rowcount
    if gone:
        db.session.execute(update(Chapter).where(Chapter.id == chapter.id)
                           .values(member_count=Chapter.member_count - 1))
    return bool(gone)


def details_of(event: Event) -> Details:
    """The form's values for an existing event (editing starts from what is there)."""
    names = {f.name for f in fields(Details)}
    values = {name: getattr(event, name) for name in names if hasattr(event, name)}
    values.update(local_end=_wall(event.ends_at, event.time_zone), chapter=event.chapter,
                  rsvp_opens_local=_wall(event.rsvp_opens_at, event.time_zone),
                  rsvp_closes_local=_wall(event.rsvp_closes_at, event.time_zone))
    return Details(**values)


def _wall(value, zone):
    from ..core.timeutil import local

    return local(value, zone).replace(tzinfo=None) if value else None

