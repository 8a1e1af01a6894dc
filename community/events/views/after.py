"""After the event: the survey (checked-in attendees, once each), its results (NPS with promoters, passives and
detractors apart, n and the comments) per event, chapter or host, and the attendee export (CSV)."""

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...accounts import queries as members
from ...core.errors import DomainError, NotAllowed
from ...core.forms import refuse
from ...core.permissions import has_role
from ...extensions import db
from .. import queries, surveys
from ..forms import SurveyForm
from . import bp, event_for


@bp.route("/<id:event_id>/survey", methods=["GET", "POST"])
@login_required
def survey(event_id):
    event = event_for(event_id)
    form = SurveyForm()
    if surveys.answered(event, current_user):
        return render_template("events/survey.html", event=event, form=form, done=True)
    if not form.validate_on_submit():
        return render_template("events/survey.html", event=event, form=form, done=False), \
            400 if form.is_submitted() else 200
    try:
        surveys.answer(event, current_user, int(form.score.data), form.comment.data or "")
    except DomainError as exc:
        return refuse(form, "events/survey.html", exc, event=event, done=False)
    db.session.commit()
    flash("Thank you: the hosts read every answer.", "success")
    return redirect(url_for("events.survey", event_id=event.id))


@bp.route("/<id:event_id>/results")
@login_required
def event_results(event_id):
    event = event_for(event_id, "events.organise")
    return render_template("events/results.html", title=event.title, results=surveys.results(event=event),
                           attendance=queries.attendance(event), event=event)


@bp.route("/results")
@login_required
def results():
    """Results for a chapter (?chapter=slug) or a host (?host=username): managers and admins."""
    if not has_role(current_user, "manager"):
        raise NotAllowed("Survey results across events are for community managers.")
    if request.args.get("chapter"):
        chapter = queries.chapter_or_404(request.args["chapter"])
        return render_template("events/results.html", title=chapter.name, results=surveys.results(chapter=chapter),
                               attendance=queries.attendance(chapter=chapter), event=None)
    host = members.by_username(request.args.get("host", ""))
    if host is None:
        abort(404)
    return render_template("events/results.html", title=f"Events hosted by {host.name}",
                           results=surveys.results(host=host), attendance=queries.attendance(host=host), event=None)


@bp.route("/<id:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id):
    event = event_for(event_id, "events.organise")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "username", "email", "state", "guests", "checked in at (UTC)", "walk-in"])
    for row in queries.export_rows(event):
        writer.writerow([_cell(row.user.name), row.user.username, row.user.email, row.state, row.guests,
                         row.checked_in_at.isoformat(timespec="minutes") if row.checked_in_at else "",
                         "yes" if row.walk_in else ""])
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="event-{event.id}-attendees.csv"'})


def _cell(value: str) -> str:
    """A spreadsheet reads a cell starting with = + - @ as a formula: such names are quoted with an apostrophe."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
