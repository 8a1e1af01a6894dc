"""The one-time reminder to an asker whose question has replies but no accepted answer after 3 days."""

from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, joinedload

from ..core.db import write_intent
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Category, Topic
from .notifications import notify

BATCH = 500  # topics per query and per commit


def remind_askers(limit: int | None = None) -> int:
    """Remind the askers of up to `limit` questions that are due (replies, no accepted answer, older than
    FORUM_SOLVED_REMINDER_DAYS, never reminded). Each topic is claimed with one UPDATE, so two runs at once never
    remind twice. Flushes; returns how many were reminded."""
    days = current_app.config.get("FORUM_SOLVED_REMINDER_DAYS", 3)
    due = (select(Topic).join(Topic.category).options(contains_eager(Topic.category), joinedload(Topic.author))
           .where(Category.kind == "questions", Topic.deleted_at.is_(None), Topic.reply_count > 0,
                  Topic.accepted_post_id.is_(None), Topic.reminded_at.is_(None),
                  Topic.created_at < utcnow() - timedelta(days=days))
           .order_by(Topic.id).limit(limit or BATCH))
    topics = list(db.session.scalars(due).unique())
    if not topics:
        return 0
    claimed = set(db.session.scalars(
        update(Topic).where(Topic.id.in_([t.id for t in topics]), Topic.reminded_at.is_(None))
        .values(reminded_at=utcnow()).returning(Topic.id).execution_options(synchronize_session="fetch")))
    for topic in topics:
        if topic.id in claimed:
            notify(topic.author, "reminder", topic=topic)
    return len(claimed)


@click.command("reminders")
def reminders_command():
    """Remind askers, once, when their question has replies but no accepted answer after 3 days."""
    total = 0
    with write_intent():
        while reminded := remind_askers():
            db.session.commit()
            total += reminded
    click.echo(f"Reminded {total} {'asker' if total == 1 else 'askers'}.")
