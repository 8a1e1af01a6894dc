"""What organisers do: create and edit events, publish, cancel; the people page (requests, the waitlist, who is
going) with its overrides and the audit log; personal invite links."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...accounts import queries as members
from ...core.errors import DomainError, Invalid, NotFound
from ...core.forms import refuse
from ...core.permissions import has_role, require
from ...core.timeutil import utcnow
from ...core.urls import public_url
from ...extensions import db
from .. import attendance, organising, planning, queries, series, services
from ..forms import CancelEventForm, EventForm, InviteForm, OverrideForm
from ..models import RSVP, Event
from . import bp, event_for


@bp.context_processor
def checklist_templates():
    return {"checklists": planning.TEMPLATES}


def _form(event=None) -> EventForm:
    details = services.details_of(event) if event is not None and request.method == "GET" else None
    form = EventForm(obj=details)
    if details is not None:
        form.chapter.data = details.chapter.slug if details.chapter else ""
        form.cohosts.data = ", ".join(h.user.username for h in event.hosts if h.role == "cohost")
        form.helpers.data = ", ".join(h.user.username for h in event.hosts if h.role == "helper")
    manager = has_role(current_user, "manager")
    allowed = [c for c in queries.chapters() if manager or any(p.id == current_user.id for p in c.organisers)]
    none = [SelectChoice("", "No chapter")] if manager else []  # (a chapter organiser plans for their chapters)
    form.chapter.choices = none + [SelectChoice(c.slug, c.name) for c in allowed]
    return form


def _chapter(form):
    return next((c for c in queries.chapters() if c.slug == form.chapter.data), None)


def _hosts(form, lead):
    """(User, role) pairs: the lead host, then the named co-hosts and helpers; unknown names are refused."""
    pairs = [(lead, "host")]
    for field, role in ((form.cohosts, "cohost"), (form.helpers, "helper")):
        for name in [n.strip().lstrip("@") for n in (field.data or "").split(",") if n.strip()]:
            user = members.by_username(name)
            if user is None:
                raise Invalid(f"No member is called @{name}.", field=field.name)
            pairs.append((user, role))
    return pairs


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = _form()
    if form.is_submitted():
        require(current_user, "events.create", _chapter(form))
    elif not form.chapter.choices:  # neither a manager nor any chapter's organiser
        require(current_user, "events.create")
    _from_template(form, request.args.get("template"))
    if not form.is_submitted() and request.args.get("chapter"):
        form.chapter.data = request.args["chapter"]
    if not form.validate_on_submit():
        return render_template("events/edit.html", form=form, event=None), 400 if form.is_submitted() else 200
    try:
        event = _create(form)
    except DomainError as exc:
        return refuse(form, "events/edit.html", exc, event=None)
    db.session.commit()
    flash("The event is published." if event.status == "published" else "The draft is saved: publish it when "
          "it's ready.", "success")
    return redirect(url_for("events.event", event_id=event.id, slug=event.slug))


def _create(form):
    """One event, or a series (its first occurrence is what the page shows next); with its checklist's tasks."""
    details, hosts = form.details(_chapter(form)), _hosts(form, current_user)
    if form.repeat.data == "never":
        made = [services.create_event(current_user, details, hosts, publish=form.publish.data)]
    else:
        made_series = series.create_series(current_user, details, form.repeat.data, form.occurrences.data or 0,
                                           hosts, publish=form.publish.data)
        made = list(db.session.scalars(select(Event).where(Event.series_id == made_series.id)
                                       .order_by(Event.series_index)))
    if form.checklist.data:
        for event in made:
            planning.apply(event, form.checklist.data)
    return made[0]


def _from_template(form, key):
    """A new event's form started from a checklist template: its kind, capacity and length (the page's GET)."""
    template = planning.TEMPLATES.get(key)
    if template is None or form.is_submitted():
        return
    start = (utcnow() + timedelta(days=-min(offset for offset, _ in template.tasks))).replace(
        hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
    form.checklist.data, form.kind.data, form.capacity.data = key, template.kind, template.capacity
    form.local_start.data, form.local_end.data = start, start + timedelta(hours=template.hours)
    form.title.data = form.title.data or template.name


@bp.route("/<id:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id):
    event = event_for(event_id, "events.organise")
    form = _form(event)
    if not form.validate_on_submit():
        return render_template("events/edit.html", form=form, event=event), 400 if form.is_submitted() else 200
    try:
        lead = next((h.user for h in event.hosts if h.role == "host"), current_user)
        services.set_hosts(event, _hosts(form, lead))
        changed = series.edit(event, current_user, form.details(_chapter(form)), form.scope.data or "this")
        if form.publish.data and event.status == "draft":
            services.publish_event(event, current_user)
    except DomainError as exc:
        return refuse(form, "events/edit.html", exc, event=event)
    db.session.commit()
    told = bool(changed) and event.status == "published"
    flash("Saved. Everyone with a place was told of the change by mail." if told else "Saved.", "success")
    return redirect(url_for("events.event", event_id=event.id, slug=event.slug))


@bp.route("/<id:event_id>/publish", methods=["POST"])
@login_required
def publish(event_id):
    event = event_for(event_id, "events.organise")
    services.publish_event(event, current_user)
    db.session.commit()
    flash("The event is published.", "success")
    return redirect(url_for("events.event", event_id=event.id, slug=event.slug))


@bp.route("/<id:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(event_id):
    event = event_for(event_id, "events.organise")
    form = CancelEventForm()
    if not form.validate_on_submit():
        return render_template("events/cancel.html", form=form, event=event), 400 if form.is_submitted() else 200
    services.cancel_event(event, current_user, form.reason.data)
    db.session.commit()
    flash("The event is cancelled, and everyone with a place was told.", "success")
    return redirect(url_for("events.event", event_id=event.id, slug=event.slug))


@bp.route("/<id:event_id>/people")
@login_required
def people(event_id):
    event = event_for(event_id, "events.organise")
    return _people(event, OverrideForm(), InviteForm())


def _people(event, form, invite_form, status=200, invite_url=None):
    return render_template("events/people.html", event=event, people=queries.people(event), form=form,
                           invite_form=invite_form, counts=queries.counts(event), log=queries.audit_log(event),
                           invite_url=invite_url), status


ACTIONS = {
    "promote": lambda row, by, form: organising.promote_member(row, by, over_capacity=form.over_capacity.data,
                                                               reason=form.reason.data or ""),
    "priority": lambda row, by, form: organising.set_priority(row, by, form.priority.data or 0,
                                                              form.reason.data or ""),
    "remove": lambda row, by, form: organising.remove(row, by, form.reason.data or ""),
    "approve": lambda row, by, form: organising.approve(row, by),
    "decline": lambda row, by, form: organising.decline(row, by, form.reason.data or ""),
    "spoke": lambda row, by, form: attendance.confirm_contribution(row, by, "spoke"),
    "volunteered": lambda row, by, form: attendance.confirm_contribution(row, by, "volunteered"),
}


@bp.route("/<id:event_id>/people/<id:rsvp_id>/<action>", methods=["POST"])
@login_required
def override(event_id, rsvp_id, action):
    event = event_for(event_id, "events.organise")
    row = db.session.get(RSVP, rsvp_id)
    if action not in ACTIONS or row is None or row.event_id != event.id:
        raise NotFound("That person or action isn't part of this event.")
    form = OverrideForm()
    try:
        if not form.validate_on_submit():
            raise Invalid(" ".join(error for errors in form.errors.values() for error in errors))
        ACTIONS[action](row, current_user, form)
    except DomainError as exc:
        form.form_errors.append(f"{row.user.name}: {exc.message}")
        return _people(event, form, InviteForm(), exc.status)
    db.session.commit()
    flash(f"Done: {row.user.name} is now {row.state.replace('_', ' ')}. It is in the log.", "success")
    return redirect(url_for("events.people", event_id=event.id))


@bp.route("/<id:event_id>/invite", methods=["POST"])
@login_required
def invite(event_id):
    event = event_for(event_id, "events.organise")
    form = InviteForm()
    if not form.validate_on_submit():
        return _people(event, OverrideForm(), form, 400)
    invitation = organising.invite(event, current_user, form.email.data)
    db.session.commit()
    url = public_url("events.event", event_id=event.id, slug=event.slug, invitation=invitation.token)
    return _people(event, OverrideForm(), InviteForm(formdata=None), invite_url=url)
