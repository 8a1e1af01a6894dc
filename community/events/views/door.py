"""At the door: the attendee's ticket (a QR code, SVG by segno) and the check-in page for hosts and helpers —
find by name or scan the ticket, check in (twice records once), undo, walk-ins, and the live count."""

import io

import segno
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select

from ...accounts import queries as members
from ...core.errors import DomainError, NotFound
from ...core.urls import public_url
from ...extensions import db
from .. import attendance, queries, rsvps
from ..forms import WalkInForm
from ..models import RSVP
from . import bp, event_for


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG (segno writes it; no scripts, no external files)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True,
                                    title="Ticket QR code", unit=None)
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704 (segno's own SVG of our own URL: no user text)


@bp.route("/<id:event_id>/ticket")
@login_required
def ticket(event_id):
    event = event_for(event_id)
    row = rsvps.mine(event, current_user)
    if row is None or row.state not in ("going", "checked_in"):
        raise NotFound("You have no ticket for this event: RSVP first, and your ticket appears here.")
    scan = public_url("events.scan", event_id=event.id, secret=row.ticket_secret)
    return render_template("events/ticket.html", event=event, row=row, qr=qr_svg(scan))


def _live_count(event):
    return db.session.scalar(select(func.count()).select_from(RSVP).where(RSVP.event_id == event.id,
                                                                          RSVP.state == "checked_in"))


@bp.route("/<id:event_id>/check-in")
@login_required
def check_in_page(event_id):
    event = event_for(event_id, "events.check_in")
    return _door(event, WalkInForm())


def _door(event, form, status=200):
    q = request.args.get("q", "").strip()[:80]
    return render_template("events/check_in.html", event=event, q=q, form=form,
                           people=queries.door_list(event, q), checked_in=_live_count(event)), status


@bp.route("/<id:event_id>/check-in/count.json")
@login_required
def check_in_count(event_id):
    event = event_for(event_id, "events.check_in")
    return {"checked_in": _live_count(event), "seats_taken": event.seats_taken, "capacity": event.capacity}


@bp.route("/<id:event_id>/check-in/t/<secret>")
@login_required
def scan(event_id, secret):
    """What a helper's phone opens when it scans a ticket: the attendee, with the button to check them in."""
    event = event_for(event_id, "events.check_in")
    return render_template("events/scanned.html", event=event, row=attendance.by_secret(event, secret))


@bp.route("/<id:event_id>/check-in/<id:rsvp_id>", methods=["POST"])
@login_required
def check_in(event_id, rsvp_id):
    event = event_for(event_id, "events.check_in")
    row = db.session.get(RSVP, rsvp_id)
    if row is None or row.event_id != event.id:
        raise NotFound("That person isn't on this event's list.")
    undoing = bool(request.form.get("undo"))
    try:
        if undoing:
            attendance.undo(row, current_user)
        else:
            first = attendance.check_in(row, current_user)  # False: they were checked in already
    except DomainError as exc:
        form = WalkInForm(formdata=None)
        form.form_errors.append(exc.message)
        return _door(event, form, exc.status)
    db.session.commit()
    if undoing:
        flash(f"Undone: {row.user.name} is no longer checked in.", "success")
    else:
        flash(f"{row.user.name} is checked in." if first else f"{row.user.name} was checked in already.", "success")
    return redirect(url_for("events.check_in_page", event_id=event.id, q=request.form.get("q") or None))


@bp.route("/<id:event_id>/walk-in", methods=["POST"])
@login_required
def walk_in(event_id):
    event = event_for(event_id, "events.check_in")
    form = WalkInForm()
    if not form.validate_on_submit():
        return _door(event, form, 400)
    member = members.by_username(form.username.data)
    try:
        if member is None:
            raise NotFound(f"No member is called @{form.username.data.lstrip('@')}: ask them to join on their "
                           "phone, then add them.")
        attendance.walk_in(event, member, current_user, over_capacity=form.over_capacity.data)
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return _door(event, form, exc.status)
    db.session.commit()
    flash(f"{member.name} is in: checked in as a walk-in.", "success")
    return redirect(url_for("events.check_in_page", event_id=event.id))
