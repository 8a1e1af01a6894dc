"""The search page's reads: the index's hits for a search, then the rows behind them (a fixed number of queries)."""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from ..accounts import queries as members
from ..core import search
from ..events import queries as events
from ..forums import queries as forums
from .forms import Ask


class Problem(Exception):
    """A search that can't run, in words: a filter naming a category or member that doesn't exist (or that the
    viewer may not see; 200, nothing to list) or words the search engine can't read (400)."""

    def __init__(self, message: str, status: int = 200):
        super().__init__(message)
        self.status = status


@dataclass
class Item:
    """One search result as the page shows it."""

    kind: str
    title: str
    url: str
    snippet_html: object
    author: object = None
    category: object = None
    created: datetime | None = None
    solved: bool = False
    tags: tuple[str, ...] = ()
    number: int | None = None


def find(ask: Ask, categories, viewer, page: int = 1) -> search.Results:
    """One page of results; `categories` are those the viewer may see (the form's choices)."""
    filters = search.Filters(kinds=(ask.kind,) if ask.kind else (), tags=tuple(ask.tags), solved=ask.solved)
    if ask.category:
        category = next((c for c in categories if c.slug == ask.category), None)
        if category is None:
            raise Problem(f"No category is called “{ask.category}”. Pick one from the list.")
        filters.category = str(category.id)
    if ask.author:
        author = members.by_username(ask.author)
        if author is None or author.email_verified_at is None:
            raise Problem(f"No member is called @{ask.author}.")
        filters.author = str(author.id)
    try:
        return search.search(ask.words, visible=search.visible_to(viewer), filters=filters, page=page,
                             newest=ask.newest)
    except search.Malformed:
        raise Problem("That search can't be read: check its quotes and brackets, or use plain words.", 400) from None


def items(hits, viewer) -> list[Item]:
    """The hits whose rows still exist and may be seen, in the index's order. 4 queries at most."""
    threads = forums.search_items(hits, viewer)
    gatherings = events.search_items(hits, viewer)
    people = members.by_ids({hit.id for hit in hits if hit.kind == "member"}
                            | {row["author_id"] for row in threads.values()})
    shown = []
    for hit in hits:
        if hit.kind in ("topic", "post") and hit.key in threads:
            row = threads[hit.key]
            topic, post = row["topic"], row["post"]
            url = (url_for("forums.post", post_id=post.id) if post
                   else url_for("forums.topic", topic_id=topic.id, slug=topic.slug))
            shown.append(Item(kind=hit.kind, title=topic.title, url=url, snippet_html=hit.snippet_html,
                              author=people.get(row["author_id"]), category=topic.category,
                              created=post.created_at if post else topic.created_at,
                              solved=topic.accepted_post_id is not None, tags=tuple(t.name for t in topic.tags),
                              number=post.number if post else None))
        elif hit.kind == "member" and hit.id in people:
            member = people[hit.id]
            shown.append(Item(kind="member", title=member.name, url=url_for("accounts.profile",
                                                                            username=member.username),
                              snippet_html=hit.snippet_html, author=member, created=member.created_at))
        elif hit.kind == "event" and hit.id in gatherings:
            event = gatherings[hit.id]
            shown.append(Item(kind="event", title=event.title, url=url_for("events.event", event_id=event.id,
                                                                           slug=event.slug),
                              snippet_html=hit.snippet_html, created=event.starts_at))
    return shown
