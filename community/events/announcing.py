"""A chapter's members hear when it publishes an event, unless they asked for no mail; each mail has a one-click
way out of the chapter's mail (List-Unsubscribe), signed for that member and chapter."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..accounts.models import User
from ..core import mail
from ..core.errors import Invalid
from ..core.urls import public_url
from ..extensions import db
from .mailing import when
from .models import Chapter, ChapterMember, Event


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="community.chapter-mail")


def leave_token(chapter: Chapter, member: User) -> str:
    return _serializer().dumps([chapter.id, member.id])


def from_token(token: str) -> tuple[Chapter, User]:
    try:
        chapter_id, user_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise Invalid("This link is damaged: open it again from the mail, or leave the chapter on its page.") \
            from None
    chapter, member = db.session.get(Chapter, chapter_id), db.session.get(User, user_id)
    if chapter is None or member is None:
        raise Invalid("This link is for a chapter or an account that no longer exists.")
    return chapter, member


def announce(event: Event) -> int:
    """Queue the new-event mail to each of the chapter's members who takes mail; return how many."""
    chapter = event.chapter
    members = db.session.scalars(
        select(User).join(ChapterMember, ChapterMember.user_id == User.id)
        .where(ChapterMember.chapter_id == chapter.id, User.email_verified_at.is_not(None),
               User.suspended_at.is_(None), User.email_notifications != "none")
        .order_by(User.id))
    sent = 0
    for member in members:
        mail.queue(member.email, f"New in {chapter.name}: {event.title}", "events/announcement",
                   category="events.announcement",
                   unsubscribe_url=public_url("events.leave_chapter_mail", token=leave_token(chapter, member)),
                   member=member, chapter=chapter, event=event, when=when(event, member.time_zone),
                   link=public_url("events.event", event_id=event.id, slug=event.slug),
                   leave_url=public_url("events.leave_chapter_mail", token=leave_token(chapter, member)))
        sent += 1
    return sent
