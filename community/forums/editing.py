"""Editing posts: who may edit until when, revisions (number 1 is the original), diffs, revert.

Services flush and never commit. Every change of a post's text or title keeps a PostRevision; history is never
rewritten (a revert is a new revision carrying an old text).
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from .. import signals
from ..core import text
from ..core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from ..core.permissions import has_role
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import flags, moderation, services
from .models import Post, PostRevision, Topic

REASON_LENGTH = 200
STALE = ("Someone saved a change to this post while you were writing. Your text is kept below: look at the post's "
         "history, then save again to replace their version with yours.")
WORDS = re.compile(r"\s+|\w+|[^\w\s]")


# Who may edit, until when ------------------------------------------------------------------------------------------

def _window(user) -> tuple[timedelta, str]:
    if user.trust_level >= 2:
        days = current_app.config.get("FORUM_EDIT_WINDOW_DAYS", 30)
        return timedelta(days=days), f"{days} days"
    hours = current_app.config.get("FORUM_EDIT_WINDOW_HOURS_NEW", 24)
    return timedelta(hours=hours), f"{hours} hours"


def edit_deadline(user, post: Post) -> datetime | None:
    """Until when `user` may edit their own `post`; None when there is no limit (moderators)."""
    if has_role(user, "moderator"):
        return None
    return aware(post.created_at) + _window(user)[0]


def refusal(user, post: Post, topic: Topic) -> DomainError | None:
    """Why `user` may not edit `post` (in `topic`) now, or None when they may. Issues no query."""
    if not getattr(user, "is_authenticated", False):
        return NotAllowed("Sign in to edit your posts.")
    if getattr(user, "suspended_at", None):
        return NotAllowed("Your account is suspended, so you can't edit posts.")
    moderator = has_role(user, "moderator")
    if post.author_id != user.id and not moderator:
        return NotAllowed("You can edit your own posts; moderators can edit any.")
    if post.deleted_at is not None:
        return Conflict("This post is deleted, so it can't be edited. A moderator can restore it first.")
    if moderator:
        return None
    if topic.locked_at is not None:
        return Conflict("This topic is closed, so its posts can't be edited any more. A moderator can still change "
                        "them: write to the community team and say what should change.")
    if utcnow() > edit_deadline(user, post):
        days = current_app.config.get("FORUM_EDIT_WINDOW_DAYS", 30)
        grows = "" if user.trust_level >= 2 else f" ({days} days once you reach trust level 2)"
        return NotAllowed(f"You can edit a post for {_window(user)[1]} after posting it{grows}, and this one is "
                          "older. A moderator can still change it: write to the community team and say what should "
                          "change.")
    return None


def can_edit(user, post: Post, topic: Topic) -> bool:
    return refusal(user, post, topic) is None


def check_can_edit(user, post: Post) -> None:
    problem = refusal(user, post, post.topic)
    if problem is not None:
        raise problem


# Edits and reverts -------------------------------------------------------------------------------------------------

def _check_title(title: str) -> str:
    """The rule of create_topic: a title of 15 to 255 characters, spaces squeezed."""
    low, high = current_app.config["FORUM_TITLE_LENGTH"]
    title = " ".join(title.split())
    if not low <= len(title) <= high:
        raise Invalid(f"A title has {low} to {high} characters: say what you need in a sentence.", field="title")
    return title


def _check_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_LENGTH:
        raise Invalid(f"Say why in up to {REASON_LENGTH} characters; the post itself holds the details.",
                      field="reason")
    return reason


def edit_post(post: Post, by, body: str, title: str | None = None, reason: str = "",
              base_revision: int | None = None) -> int:
    """Change a post's text (and, for a topic's opening post, its title). Returns the new revision number.

    `base_revision` is the revision the editor started from: if someone saved another since, the edit is refused
    (Conflict) rather than silently replacing their change."""
    check_can_edit(by, post)
    if base_revision is not None and base_revision != post.revision:
        raise Conflict(STALE, field="body")
    body = services._check_body(body)
    title = _check_title(title) if title is not None and post.number == 1 else None
    return _save(post, by, body, title, _check_reason(reason))


def revert(post: Post, by, number: int) -> int:
    """Bring back revision `number`'s text (and title) as a new revision. Returns the new revision number."""
    check_can_edit(by, post)
    old = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id,
                                                       PostRevision.number == number))
    if old is None:
        raise NotFound(f"This post has no revision {number}. Its history lists the ones it has.")
    if number == post.revision:
        raise Conflict(f"Revision {number} is the current version already.")
    return _save(post, by, old.body, old.title if post.number == 1 else None, f"Back to revision {number}")


def _save(post: Post, by, body: str, title: str | None, reason: str) -> int:
    topic = post.topic
    new_title = title if title is not None and title != topic.title else None
    if body == post.body and new_title is None:
        raise Invalid("Nothing changed: the text is the same as the current version. Change something, or go "
                      "back to the post.", field="body")
    previous, number, now = post.body, post.revision + 1, utcnow()
    # Only one edit can turn revision n into n + 1: a second editor at the same moment gets a Conflict, not a 500.
    bumped = db.session.execute(
        update(Post).where(Post.id == post.id, Post.revision == post.revision)
        .values(body=body, body_html=text.render(body), revision=number, edited_at=now)
    ).rowcount
    if not bumped:
        raise Conflict(STALE, field="body")
    opening = post.number == 1
    if number == 2:  # the post's first edit: keep the original as revision 1
        db.session.add(PostRevision(post_id=post.id, number=1, title=topic.title if opening else None, body=previous,
                                    editor_id=post.author_id, created_at=post.created_at))
    db.session.add(PostRevision(post_id=post.id, number=number, title=(new_title or topic.title) if opening else None,
                                body=body, editor_id=by.id, reason=reason, created_at=now))
    if new_title is not None:
        topic.title, topic.slug = new_title, services.slugify(new_title)
    if by.id != post.author_id:
        moderation.log(by, "edit_post", topic, post, reason)
    flags.unhide_after_edit(post)  # a hidden post shows again once its author fixed it; its flags still wait
    db.session.flush()
    signals.post_edited.send(post, by=by, previous_body=previous, revision=number)
    return number


# History and diffs -------------------------------------------------------------------------------------------------

@dataclass
class Line:
    """One line of a diff: kind is "same", "del" or "ins"; parts are (changed?, text) pieces of the line."""

    kind: str
    parts: list[tuple[bool, str]]


@dataclass
class Version:
    number: int
    body: str
    title: str | None
    editor: object
    created_at: datetime
    reason: str = ""
    old_title: str | None = None  # the title before this revision, when this revision changed it
    hunks: list[list[Line]] = field(default_factory=list)  # the diff against the revision before


def history(post: Post) -> list[Version]:
    """Every version of `post`, newest first, each with its diff against the one before (one query)."""
    rows = list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .options(joinedload(PostRevision.editor)).order_by(PostRevision.number)))
    versions = [Version(r.number, r.body, r.title, r.editor, r.created_at, r.reason) for r in rows] or [
        Version(1, post.body, post.topic.title if post.number == 1 else None, post.author, post.created_at)]
    for before, version in pairwise(versions):
        version.hunks = diff(before.body, version.body)
        if version.title != before.title:
            version.old_title = before.title
    return versions[::-1]


def diff(old: str, new: str, context: int = 3) -> list[list[Line]]:
    """A line diff (difflib) in hunks with `context` unchanged lines around each change; changed words are marked
    within lines that were edited rather than rewritten."""
    if old == new:
        return []
    a, b = old.splitlines(), new.splitlines()
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        lines = []
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [Line("same", [(False, line)]) for line in a[i1:i2]]
                continue
            removed = [Line("del", [(True, line)]) for line in a[i1:i2]]
            added = [Line("ins", [(True, line)]) for line in b[j1:j2]]
            for k in range(min(len(removed), len(added))):
                removed[k].parts, added[k].parts = _words(a[i1 + k], b[j1 + k])
            lines += removed + added
        hunks.append(lines)
    return hunks


def _words(old: str, new: str):
    """Mark the changed words of an edited line; a line that was mostly rewritten is marked as a whole."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < 0.5:
        return [(True, old)], [(True, new)]
    before, after = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            before.append((op != "equal", "".join(a[i1:i2])))
        if j2 > j1:
            after.append((op != "equal", "".join(b[j1:j2])))
    return before, after


def sees_hidden(user, post: Post) -> bool:
    """The author and moderators still read a post that flags hid."""
    return getattr(user, "is_authenticated", False) and (user.id == post.author_id or has_role(user, "moderator"))
