"""New-member limits: what members at trust level 0 may post, and how often anyone may (Discourse's defaults).

Every refusal says the limit and when it lifts: `TooMany` (HTTP 429) for pace, `Invalid` (400) for what a post holds.
"""

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, func, select

from ..core.errors import Invalid, TooMany
from ..core.permissions import has_role
from ..core.timeutil import aware, local, utcnow
from ..extensions import db
from . import trust
from .models import Post, Topic

NEW_MEMBER_LIMITS = {  # Discourse's defaults; config FORUM_NEW_MEMBER_LIMITS overrides any of them
    # trust level 0 (replies in a row: in someone else's topic, until another member replies there)
    "links_per_post": 2, "mentions_per_post": 2, "replies_in_a_row": 3, "topics_first_day": 3,
    "replies_first_day": 10, "seconds_between_topics": 120, "seconds_between_posts": 30,
    # trust level 1 and above (moderators wait for nothing), and everyone, staff too, for mentions
    "seconds_between_topics_others": 15, "seconds_between_posts_others": 5, "mentions_per_post_anyone": 10,
}
LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*>(@?)')
CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]+>")
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})")
PROFILE = "Your progress is on your profile."


def limits() -> dict:
    return {**NEW_MEMBER_LIMITS, **current_app.config.get("FORUM_NEW_MEMBER_LIMITS", {})}


def count_links(html: str) -> int:
    """Links in rendered text; a mention (`<a href="/u/ana">@ana</a>`) is not a link."""
    return sum(1 for href, at in LINK.findall(html) if not (at and href.startswith("/u/")))


def count_mentions(html: str) -> int:
    """Different people mentioned in rendered text, outside code (`@property` in a code block is no mention)."""
    return len({name.lower() for name in MENTION.findall(TAG.sub(" ", CODE.sub(" ", html)))})


def _is_new(member) -> bool:
    return member.trust_level == 0 and not has_role(member, "moderator")


def _check_content(author, html: str, rules: dict) -> None:
    mentions = count_mentions(html)
    if mentions > rules["mentions_per_post_anyone"]:
        raise Invalid(f"A post can mention up to {rules['mentions_per_post_anyone']} people; this one mentions "
                      f"{mentions}. Mention the few who can help most.", field="body")
    if not _is_new(author):
        return
    if mentions > rules["mentions_per_post"]:
        raise TooMany(f"New members can mention up to {rules['mentions_per_post']} people in a post; this one "
                      f"mentions {mentions}. {_lifts(author)}", field="body")
    links = count_links(html)
    if links > rules["links_per_post"]:
        raise TooMany(f"New members can include up to {rules['links_per_post']} links in a post; this one has "
                      f"{links}. {_lifts(author)}", field="body")


def _lifts(member) -> str:
    """When a new member's limits lift: at trust level 1, with what is still missing, in numbers."""
    missing = [f"{row.label.lower()} {row.have} of {row.need}" for row in trust.progress(member) if not row.met]
    if not missing:
        return "It lifts at trust level 1 (Basic), which you have earned: it applies from tonight's update."
    return f"It lifts at trust level 1 (Basic): {', '.join(missing)} so far. {PROFILE}"


def _when(at, member) -> str:
    shape = "%H:%M:%S" if at - utcnow() < timedelta(hours=1) else "%-d %B at %H:%M"
    return f"{local(at, member.time_zone).strftime(shape)} ({member.time_zone or 'UTC'})"


def _wait(member, last, seconds: int, what: str, again: str) -> None:
    if last is None:
        return
    lifts = aware(last) + timedelta(seconds=seconds)
    if lifts > utcnow():
        who = "New members" if _is_new(member) else "Members"
        span = f"{seconds // 60} minutes" if seconds % 60 == 0 and seconds >= 120 else f"{seconds} seconds"
        raise TooMany(f"{who} wait {span} between {what}. You can {again} from {_when(lifts, member)}.",
                      retry_at=lifts, field="body")


def _first_day(member):
    """The end of a member's first 24 hours, while they are a new member in it (None otherwise)."""
    end = aware(member.created_at) + timedelta(days=1)
    return end if _is_new(member) and end > utcnow() else None


def check_topic(author, html: str) -> None:
    """May `author` open a topic with this (rendered) text now? Raises Invalid (400) or TooMany (429)."""
    rules = limits()
    _check_content(author, html, rules)
    if has_role(author, "moderator"):
        return
    new, first_day = _is_new(author), _first_day(author)
    opened, last = db.session.execute(select(func.count(), func.max(Topic.created_at))
                                      .where(Topic.author_id == author.id)).one()
    if first_day and opened >= rules["topics_first_day"]:
        raise TooMany(f"In their first day, new members can open up to {rules['topics_first_day']} topics. You "
                      f"can open another from {_when(first_day, author)}, or reply to others until then.",
                      retry_at=first_day, field="body")
    _wait(author, last, rules["seconds_between_topics" if new else "seconds_between_topics_others"], "topics",
          "open the next one")


def check_reply(author, topic, html: str) -> None:
    """May `author` reply in `topic` with this (rendered) text now? Raises Invalid (400) or TooMany (429)."""
    rules = limits()
    _check_content(author, html, rules)
    if has_role(author, "moderator"):
        return
    new, first_day = _is_new(author), _first_day(author)
    replies, last = db.session.execute(select(func.count(case((Post.number > 1, 1))), func.max(Post.created_at))
                                       .where(Post.author_id == author.id)).one()
    if first_day and replies >= rules["replies_first_day"]:
        raise TooMany(f"In their first day, new members can post up to {rules['replies_first_day']} replies. You "
                      f"can reply again from {_when(first_day, author)}.", retry_at=first_day, field="body")
    if new and topic.author_id != author.id and _replies_in_a_row(author, topic) >= rules["replies_in_a_row"]:
        raise TooMany(f"New members can post up to {rules['replies_in_a_row']} replies in a row in someone else's "
                      "topic. You can reply again here once another member has replied. " + PROFILE, field="body")
    _wait(author, last, rules["seconds_between_posts" if new else "seconds_between_posts_others"], "posts",
          "post again")


def _replies_in_a_row(author, topic) -> int:
    """The member's replies in the topic since anyone else last posted there."""
    others = (select(func.coalesce(func.max(Post.number), 0))
              .where(Post.topic_id == topic.id, Post.author_id != author.id, Post.deleted_at.is_(None)))
    return db.session.scalar(select(func.count()).select_from(Post).where(
        Post.topic_id == topic.id, Post.author_id == author.id, Post.deleted_at.is_(None), Post.number > 1,
        Post.number > others.scalar_subquery()))
