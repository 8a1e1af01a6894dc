"""Community managers create and edit chapters, and name their organisers."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...accounts import queries as members
from ...core.errors import DomainError, Invalid
from ...core.forms import refuse
from ...core.permissions import require
from ...extensions import db
from .. import queries, services
from ..forms import ChapterForm
from . import bp


def _organisers(form):
    people = []
    for name in [n.strip().lstrip("@") for n in (form.organisers.data or "").split(",") if n.strip()]:
        user = members.by_username(name)
        if user is None:
            raise Invalid(f"No member is called @{name}.", field="organisers")
        people.append(user)
    return people


def _save(chapter, form):
    if not form.validate_on_submit():
        return render_template("events/chapter_edit.html", form=form, chapter=chapter), \
            400 if form.is_submitted() else 200
    try:
        saved = services.save_chapter(chapter, name=form.name.data, city=form.city.data or "",
                                      topic=form.topic.data or "", time_zone=form.time_zone.data,
                                      description=form.description.data or "", organisers=_organisers(form))
    except DomainError as exc:
        return refuse(form, "events/chapter_edit.html", exc, chapter=chapter)
    db.session.commit()
    flash(f"{saved.name} is saved.", "success")
    return redirect(url_for("events.chapter", slug=saved.slug))


@bp.route("/chapters/new", methods=["GET", "POST"])
@login_required
def new_chapter():
    require(current_user, "events.manage_chapters")
    return _save(None, ChapterForm())


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_chapter(slug):
    chapter = queries.chapter_or_404(slug)
    require(current_user, "events.manage_chapters")
    form = ChapterForm(obj=chapter)
    if not form.is_submitted():
        form.organisers.data = ", ".join(person.username for person in chapter.organisers)
        form.city.data, form.topic.data = chapter.city or "", chapter.topic or ""
    return _save(chapter, form)
