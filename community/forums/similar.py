"""Similar questions while asking, and the deflections they bring.

As a member types a title on the ask page, `suggestions` finds up to five topics already asked, solved ones first,
each with the first words of its accepted answer. Links to them carry `?via=ask`; opening one records a
`Deflection` (`record_opened`). If the member posts a topic within the hour after all, `mark_asked` says so; the
rest are questions answered before they were asked (`deflections`, for the manager dashboard).
"""

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, insert, literal, select, update

from ..core import search
from ..core.db import writing
from ..core.text import plain
from ..core.timeutil import utcnow
from ..extensions import db
from . import queries
from .models import Deflection, Post, Topic

VIA = "ask"  # the marker on suggested links: `/t/12-slug?via=ask-<signature for this member and topic>`
LIMIT = 5
CANDIDATES = 20  # hits read from the index: enough that a few invisible or stale ones still leave LIMIT
MIN_CHARS = 3  # letters or digits a title needs, besides the words every question has, before looking is worth it
# Words nearly every question has: matched alone, they would suggest any "How do I …?" for a title that shares
# nothing else with it. Left out before looking (the index drops "the", "to", "a" … itself).
EVERY_QUESTION = frozenset((
    "how", "what", "why", "when", "where", "which", "who", "whom", "whose", "do", "dont", "does", "doesnt", "did",
    "didnt", "doing", "done", "can", "cant", "could", "couldnt", "should", "would", "will", "wont", "shall", "must",
    "is", "isnt", "are", "arent", "was", "wasnt", "were", "be", "been", "being", "have", "has", "had", "i", "im",
    "ive", "my", "me", "mine", "we", "our", "us", "you", "your", "there", "here", "any", "anyone", "anybody",
    "someone", "somebody", "please", "help", "hi", "hello", "thanks", "thank",
))
EXCERPT_CHARS = 200
ASKED_WITHIN = timedelta(hours=1)  # a topic posted this soon after opening a suggestion: it did not answer theirs


@dataclass
class Suggestion:
    topic: Topic
    answer_excerpt: str | None  # the accepted answer's first words, as plain text
    via: str = VIA  # the signed marker its link carries (see `marker`)

    @property
    def title(self) -> str:
        return self.topic.title

    @property
    def solved(self) -> bool:
        return self.topic.is_solved


def key_words(title: str | None) -> str:
    """The words of `title` worth looking for, lower-cased (so "NOT", "AND" stay words, not operators)."""
    words = re.findall(r"\w+", (title or "").lower().replace("'", "").replace("’", ""))
    return " ".join(word for word in words if word not in EVERY_QUESTION)


def title_problem(title: str | None) -> str | None:
    """What is wrong with a title given to look for similar questions, in words, or None."""
    longest = current_app.config["FORUM_TITLE_LENGTH"][1]
    if not (title or "").strip():
        return "Type the title of your question to see similar ones."
    if len(title) > longest:  # (a typed title never is: the field stops there)
        return f"A title has at most {longest} characters: shorten it to see similar questions."
    return None


def suggestions(title: str, viewer, limit: int = LIMIT) -> list[Suggestion]:
    """Up to `limit` topics like `title` that `viewer` may read: the most similar ones, solved ones first (relevance
    order within each group). A title with fewer than MIN_CHARS letters or digits in its key words gives none.
    2 queries."""
    words = key_words(title)
    if len(re.findall(r"\w", words)) < MIN_CHARS:
        return []
    try:
        hits = search.similar(words, visible=search.visible_to(viewer), limit=max(CANDIDATES, limit))
    except search.Malformed:
        return []
    ids = [hit.id for hit in hits]
    rank = {topic_id: number for number, topic_id in enumerate(ids)}
    shown = sorted(queries.similar_topics(ids, viewer), key=lambda topic: rank[topic.id])[:limit]
    shown.sort(key=lambda topic: not topic.is_solved)  # stable: the most similar first within each group
    return [Suggestion(topic, _excerpt(topic.accepted_post), marker(viewer, topic)) for topic in shown]


def marker(user, topic: Topic) -> str:
    """The `via` value of a suggestion's link, signed for this member and topic: a link someone pastes elsewhere
    with `?via=ask` records nothing, and nor does one made for another member."""
    key = current_app.config["SECRET_KEY"].encode()
    signature = hmac.new(key, f"deflection:{user.id}:{topic.id}".encode(), "sha256").hexdigest()[:16]
    return f"{VIA}-{signature}"


def came_from_suggestion(value: str | None, user, topic: Topic) -> bool:
    return bool(value) and hmac.compare_digest(value, marker(user, topic))


def _excerpt(post: Post | None) -> str | None:
    """The first words of an accepted answer still shown (none once it is deleted or hidden by flags)."""
    if post is None or post.deleted_at is not None or post.hidden_at is not None:
        return None
    words = plain(post.body_html)
    if len(words) > EXCERPT_CHARS:
        words = words[:EXCERPT_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    return words or None


# Deflections -------------------------------------------------------------------------------------------------------

def record_opened(user, topic: Topic) -> bool:
    """`user` opened `topic` from the suggestions while asking: one Deflection a member and topic an hour (opening it
    again, or reloading the page, adds none). Returns whether a row was written. One INSERT … SELECT … WHERE NOT
    EXISTS, committed at once."""
    now = utcnow()
    earlier = exists().where(Deflection.user_id == user.id, Deflection.topic_id == topic.id,
                             Deflection.opened_at > now - ASKED_WITHIN)
    row = select(literal(user.id), literal(topic.id), literal(now, Deflection.opened_at.type)).where(~earlier)
    with writing() as conn:
        written = conn.execute(insert(Deflection).from_select(["user_id", "topic_id", "opened_at"], row))
    return written.rowcount == 1


def mark_asked(user) -> int:
    """`user` posted a topic: the suggestions they opened in the last hour did not answer their question. Returns how
    many deflections that undoes. Joins the caller's transaction."""
    now = utcnow()
    result = db.session.execute(
        update(Deflection).where(Deflection.user_id == user.id, Deflection.asked_at.is_(None),
                                 Deflection.opened_at > now - ASKED_WITHIN).values(asked_at=now))
    return result.rowcount


def deflections(since: datetime) -> int:
    """Suggested questions opened since `since` after which the member asked nothing: opened more than an hour ago
    (so the hour to ask has passed) and never followed by a topic."""
    settled = utcnow() - ASKED_WITHIN
    return db.session.scalar(select(func.count()).select_from(Deflection).where(
        Deflection.opened_at >= since, Deflection.opened_at <= settled, Deflection.asked_at.is_(None)))
