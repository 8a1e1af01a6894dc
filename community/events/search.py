"""Events in the search index: published events, found by their title, description, venue and chapter. Drafts
and cancelled events are left out; members-only events are found by members only."""

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..core import search
from ..core.text import plain
from .models import Event

ATTRS = ("title", "description_html", "venue", "chapter_id", "status", "visibility", "starts_at")


def _doc(event: Event) -> dict:
    chapter = event.chapter.name if event.chapter else ""
    return {
        "key": f"event:{event.id}",
        "kind": "event",
        "id": event.id,
        "title": event.title,
        "body": " ".join(part for part in (plain(event.description_html), event.venue, chapter) if part),
        "created": event.starts_at,
        "visibility": search.PUBLIC if event.visibility == "public" else "member",
    }


def _shown():
    return (Event.status == "published",)


def event_changes(session: Session, ids: list[int]) -> Iterator[search.Change]:
    query = select(Event).where(Event.id.in_(ids), *_shown()).options(joinedload(Event.chapter))
    shown = {event.id: event for event in session.scalars(query)}
    for event_id in ids:
        event = shown.get(event_id)
        yield search.Change(drop=[("key", f"event:{event_id}")], docs=[_doc(event)] if event else [])


def everything(session: Session) -> Iterator[dict]:
    query = select(Event).where(*_shown()).options(joinedload(Event.chapter)).order_by(Event.id)
    for event in session.scalars(query.execution_options(yield_per=500)):
        yield _doc(event)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event).where(*_shown())) or 0


search.watch(Event, ATTRS, lambda event, old: [f"event:{event.id}"])
search.register(search.Source("event", event_changes, everything, count))
