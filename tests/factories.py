"""Plain functions that build test data through the real services."""

import itertools

from community.accounts import services
from community.core.timeutil import utcnow
from community.extensions import db

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_member(username=None, *, role="member", verified=True, bio="", display_name="", email=None,
                time_zone="UTC", password=PASSWORD, mail="immediate"):
    username = username or f"member{next(_numbers)}"
    user = services.create_member(username, email or f"{username}@example.com", password, role=role, bio=bio,
                                  display_name=display_name, time_zone=time_zone)
    if verified:
        user.email_verified_at = utcnow()
    user.email_notifications = mail
    db.session.commit()
    return user


def make_category(slug="questions", kind="questions", name=None, min_role=None):
    """The category with this slug, made on first use."""
    from sqlalchemy import select

    from community.forums.models import Category

    existing = db.session.scalar(select(Category).where(Category.slug == slug))
    if existing is not None:
        return existing
    category = Category(name=name or slug.replace("-", " ").capitalize(), slug=slug, kind=kind, min_role=min_role,
                        description=f"All about {slug}.")
    db.session.add(category)
    db.session.commit()
    return category


def make_topic(author=None, category=None, title=None, body="Here is what I tried, step by step, so far.",
               tags=()):
    from community.forums import services as forums

    topic = forums.create_topic(author or make_member(), category or make_category(),
                                title or f"How do I solve problem number {next(_numbers)}?", body, tags)
    db.session.commit()
    return topic


def make_reply(topic, author=None, body="Try the advanced settings, it worked for me."):
    from community.forums import services as forums

    post = forums.post_reply(topic, author or make_member(), body)
    db.session.commit()
    return post


def make_chapter(name="Berlin", city="Berlin", organisers=(), time_zone="Europe/Berlin"):
    from community.events.models import Chapter

    chapter = Chapter(name=name, slug=name.lower().replace(" ", "-"), city=city, time_zone=time_zone,
                      description=f"Customers in {city or name}.", organisers=list(organisers))
    db.session.add(chapter)
    db.session.commit()
    return chapter


def make_event(by=None, *, title=None, capacity=60, days=10, hours=2, time_zone="Europe/Berlin", publish=True,
               chapter=None, cohosts=(), helpers=(), **details):
    """A published event `days` from now (whole days, 19:00 local), through the real service."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from community.events import services as events

    by = by or make_member(role="manager")
    start = (datetime.now(ZoneInfo(time_zone)) + timedelta(days=days)).replace(hour=19, minute=0, second=0,
                                                                              microsecond=0, tzinfo=None)
    values = {"venue": "Kulturbrauerei, Berlin", "address": "Schönhauser Allee 36, 10435 Berlin",
              "description": "Talks, pizza and **customers** helping customers.", **details}
    event = events.create_event(
        by, events.Details(title=title or f"Customer meetup number {next(_numbers)}", local_start=start,
                           local_end=start + timedelta(hours=hours), time_zone=time_zone, capacity=capacity,
                           chapter=chapter, **values),
        [(by, "host"), *((user, "cohost") for user in cohosts), *((user, "helper") for user in helpers)],
        publish=publish)
    db.session.commit()
    return event
