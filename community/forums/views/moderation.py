"""Moderator pages and actions: pin, close, delete, restore, the moderator log."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.permissions import require
from ...extensions import db
from .. import moderation, queries
from . import bp
from .common import moderated


@bp.route("/t/<id:topic_id>/pin", methods=["POST"])
@login_required
def pin(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    moderation.set_pinned(topic, current_user, request.form.get("pinned") == "1")
    return moderated(topic, "Pinned: it now leads every list." if topic.pinned_at else "Unpinned.")


@bp.route("/t/<id:topic_id>/close", methods=["POST"])
@login_required
def close(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    moderation.set_closed(topic, current_user, request.form.get("closed") == "1")
    return moderated(topic, "Closed: it takes no new replies." if topic.locked_at else "Reopened for replies.")


@bp.route("/p/<id:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id):
    post = queries.post_or_404(post_id, current_user)
    moderation.delete_post(post, current_user, request.form.get("reason", ""))
    if post.number == 1:
        db.session.commit()
        flash("The topic is deleted. A moderator can restore it.", "success")
        return redirect(url_for("forums.category", slug=post.topic.category.slug))
    return moderated(post.topic, "The post is deleted. A moderator can restore it.")


@bp.route("/p/<id:post_id>/restore", methods=["POST"])
@login_required
def restore_post(post_id):
    post = queries.post_or_404(post_id, current_user)
    moderation.restore_post(post, current_user, request.form.get("reason", ""))
    return moderated(post.topic, "The post is restored.")


@bp.route("/forums/log")
@login_required
def moderator_log():
    require(current_user, "forums.moderate")
    page = queries.moderator_log(request.args.get("after", type=int))
    return render_template("forums/log.html", page=page)
