"""Flagging posts and the moderation queue."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.errors import Conflict, Invalid
from ...core.forms import refuse
from ...core.permissions import require
from ...extensions import db
from .. import flags, queries
from ..flag_forms import KIND_HINTS, FlagForm
from ..models import FLAG_KINDS
from . import bp
from .common import permalink

RESOLVED = {
    "agree": "You agreed with the flags: the post stays hidden.",
    "agree_delete": "You agreed with the flags and the post is deleted.",
    "disagree": "You disagreed with the flags: the post shows again.",
    "dismiss": "The flags are dismissed: the post stays as it was.",
}


@bp.route("/p/<id:post_id>/flag", methods=["GET", "POST"])
@login_required
def flag(post_id):
    post = queries.post_or_404(post_id, current_user)
    flags.check_flaggable(post, current_user)
    form = FlagForm()
    page = {"post": post, "hints": KIND_HINTS}
    if not form.validate_on_submit():
        return render_template("forums/flag.html", form=form, **page), 400 if form.is_submitted() else 200
    try:
        flags.flag_post(post, current_user, form.kind.data, form.note.data)
    except (Invalid, Conflict) as exc:
        return refuse(form, "forums/flag.html", exc, **page)
    db.session.commit()
    flash("Thank you. The post is hidden until a moderator reviews it." if post.hidden_at else
          "Thank you. A moderator will review the post.", "success")
    return redirect(permalink(post))


@bp.route("/forums/queue")
@login_required
def queue():
    require(current_user, "forums.review_flags")
    items, more = flags.queue(current_user)
    return render_template("forums/queue.html", items=items, more=more, accuracy=flags.accuracy, kinds=FLAG_KINDS,
                           hide_score=flags.hide_score())


@bp.route("/p/<id:post_id>/flags", methods=["POST"])
@login_required
def resolve_flags(post_id):
    require(current_user, "forums.review_flags")
    post = queries.post_or_404(post_id, current_user)
    decision = request.form.get("decision", "")
    flags.resolve(post, current_user, decision, request.form.get("reason", ""))
    db.session.commit()
    flash(RESOLVED[decision], "success")
    return redirect(url_for("forums.queue"))
