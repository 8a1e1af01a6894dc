"""A member's personal calendar feed: a secret address (a random token) that calendar apps poll; regenerating it
retires the old address at once."""

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.db import read_only, writing
from ..core.urls import public_url
from ..extensions import db
from .models import CalendarFeed


def token_for(member: User) -> str:
    feed = db.session.get(CalendarFeed, member.id)
    if feed is None:
        feed = CalendarFeed(user_id=member.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.flush()
    return feed.token


def url_for_member(member: User) -> str:
    """The feed's address; made (and committed by the caller's request) on first use."""

    feed = db.session.get(CalendarFeed, member.id)
    if feed is not None:
        return public_url("events.my_calendar", token=feed.token)
    token = secrets.token_urlsafe(32)
    try:
        with writing() as conn:
            conn.execute(CalendarFeed.__table__.insert().values(user_id=member.id, token=token))
    except IntegrityError:  # the same member's other tab made it a moment ago
        with read_only(), db.engine.connect() as conn:
            token = conn.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == member.id))
    return public_url("events.my_calendar", token=token)


def regenerate(member: User) -> str:
    feed = db.session.get(CalendarFeed, member.id)
    if feed is None:
        return token_for(member)
    feed.token = secrets.token_urlsafe(32)
    db.session.flush()
    return feed.token


def member_for(token: str) -> User | None:
    return db.session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                             .where(CalendarFeed.token == token, User.suspended_at.is_(None)))
