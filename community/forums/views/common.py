"""What several forum views share."""

from flask import flash, redirect, url_for

from ...extensions import db
from .. import queries
from ..models import Post


def moderated(topic, message):
    """Commit a moderator's action and go back to the topic."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("forums.topic", topic_id=topic.id, slug=topic.slug))


def permalink(post: Post) -> str:
    topic = post.topic
    page = queries.page_of(post.number)
    return url_for("forums.topic", topic_id=topic.id, slug=topic.slug, page=page if page > 1 else None,
                   _anchor=f"post-{post.number}")
