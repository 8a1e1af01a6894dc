"""The welcome page a new member lands on after confirming their address."""

from flask import current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ...extensions import db
from .. import notifications, queries
from ..models import Topic
from . import bp


@bp.route("/welcome")
@login_required
def welcome():
    categories = queries.categories(current_user)
    discussion = next((c for c in categories if c.kind == "discussion"), None)
    return render_template("forums/welcome.html", categories=categories, discussion=discussion,
                           introductions=introductions_topic(categories), levels=notifications.category_levels(
                               current_user), watch_words=notifications.LEVEL_WORDS)


def introductions_topic(categories) -> Topic | None:
    """The thread where members introduce themselves: FORUM_INTRODUCTIONS_TOPIC_ID, or else the pinned topic of a
    discussion category whose title says "Introduce…"/"Introductions". None when there is none the member can see."""
    live = select(Topic).where(Topic.deleted_at.is_(None), Topic.category_id.in_([c.id for c in categories]))
    configured = current_app.config.get("FORUM_INTRODUCTIONS_TOPIC_ID")
    if configured:
        topic = db.session.scalar(live.where(Topic.id == int(configured)))
        if topic is not None:
            return topic
    discussion = [c.id for c in categories if c.kind == "discussion"]
    return db.session.scalar(live.where(Topic.category_id.in_(discussion), Topic.pinned_at.is_not(None),
                                        func.lower(Topic.title).contains("introduc"))
                             .order_by(Topic.pinned_at.desc(), Topic.id).limit(1))
