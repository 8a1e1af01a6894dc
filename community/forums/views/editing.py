"""Editing posts: the edit form, revision history with diffs, revert."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...core import text
from ...core.errors import DomainError
from ...core.forms import refuse
from ...extensions import db
from .. import editing, queries
from ..edit_forms import EditForm
from . import bp
from .common import permalink


@bp.app_template_global()
def can_edit_post(post, topic) -> bool:
    """For post footers: may the viewer edit this post now? (No query.)"""
    return editing.can_edit(current_user, post, topic)


@bp.route("/p/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id):
    post = queries.post_or_404(post_id, current_user)
    editing.check_can_edit(current_user, post)
    form = EditForm(data={"title": post.topic.title, "body": post.body, "revision": post.revision})
    if post.number != 1:
        del form.title
    if not form.validate_on_submit() or form.preview.data:
        status = 400 if form.is_submitted() and not form.preview.data else 200
        preview = text.render(form.body.data or "") if form.preview.data else None
        return render_template("forums/edit.html", form=form, **_context(post, preview)), status
    try:
        editing.edit_post(post, current_user, form.body.data, form.title.data if post.number == 1 else None,
                          form.reason.data, form.base_revision())
    except DomainError as exc:
        form.revision.data = post.revision  # the member has now been told about the version they replace
        return refuse(form, "forums/edit.html", exc, **_context(post))
    db.session.commit()
    flash("Your edit is saved.", "success")
    return redirect(permalink(post))


def _context(post, preview_html=None):
    return {"post": post, "topic": post.topic, "preview_html": preview_html, "back": permalink(post),
            "deadline": editing.edit_deadline(current_user, post)}


@bp.route("/p/<id:post_id>/history")
def history(post_id):
    post = queries.post_or_404(post_id, current_user)
    if post.hidden_at and not editing.sees_hidden(current_user, post):
        abort(404)  # flagged text stays out of sight, old versions included
    return render_template("forums/history.html", post=post, topic=post.topic, versions=editing.history(post),
                           can_revert=editing.can_edit(current_user, post, post.topic), back=permalink(post))


@bp.route("/p/<id:post_id>/revert/<id:number>", methods=["POST"])
@login_required
def revert(post_id, number):
    post = queries.post_or_404(post_id, current_user)
    new = editing.revert(post, current_user, number)
    db.session.commit()
    flash(f"Revision {number} is back: the post shows its text again, kept as revision {new}.", "success")
    return redirect(url_for("forums.history", post_id=post.id))
