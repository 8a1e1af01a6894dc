"""A member's own place: RSVP, guests, cancel, claim a held seat; their events and calendar feed."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...core.errors import DomainError, NotAllowed
from ...extensions import db
from .. import calendar_feed, queries, rsvps
from ..forms import RSVPForm
from . import bp, event_for
from .pages import render_event

SAID = {
    "going": "You're going. The confirmation and calendar entry are on their way to your inbox.",
    "waitlisted": "The event is full: you're #{position} on the waitlist. We mail you the moment a seat is yours.",
    "pending": "Your request is sent: the organisers approve each place, and we mail you when they decide.",
}


def _event_and_place(event_id):
    event = event_for(event_id)
    return event, rsvps.mine(event, current_user)


def _back(event):
    return redirect(url_for("events.event", event_id=event.id, slug=event.slug))


@bp.route("/<id:event_id>/rsvp", methods=["POST"])
@login_required
def rsvp(event_id):
    event = event_for(event_id, "events.rsvp")
    form = RSVPForm()
    if not form.validate_on_submit():
        return render_event(event, form, 400)
    invitation = queries.invitation_for(event, form.invitation.data)
    try:
        if form.invitation.data and invitation is None:
            raise NotAllowed("This invitation link was used already, or belongs to another event. Ask the "
                             "organisers for a new one.")
        row = rsvps.rsvp(event, current_user, form.guests.data or 0, invitation=invitation)
    except DomainError as exc:
        return render_event(event, form, exc=exc)
    row.show_in_list = form.show_in_list.data
    db.session.commit()
    flash(SAID.get(row.state, SAID["going"]).format(position=queries.place(event, current_user).position), "success")
    return _back(event)


@bp.route("/<id:event_id>/cancel-rsvp", methods=["POST"])
@login_required
def cancel_rsvp(event_id):
    event, row = _event_and_place(event_id)
    if row is None:
        return render_event(event, RSVPForm(), exc=NotAllowed("You have no place at this event to cancel."))
    try:
        rsvps.cancel(row)
    except DomainError as exc:
        return render_event(event, RSVPForm(), exc=exc)
    db.session.commit()
    flash("Your place is cancelled. Thanks for letting us know: the seat goes to the next person waiting.",
          "success")
    return _back(event)


@bp.route("/<id:event_id>/claim", methods=["POST"])
@login_required
def claim(event_id):
    event, row = _event_and_place(event_id)
    try:
        if row is None:
            raise NotAllowed("There is no seat held for you at this event.")
        rsvps.claim(row)
    except DomainError as exc:
        return render_event(event, RSVPForm(), exc=exc)
    db.session.commit()
    flash("The seat is yours: you're going. The confirmation is on its way to your inbox.", "success")
    return _back(event)


@bp.route("/<id:event_id>/guests", methods=["POST"])
@login_required
def guests(event_id):
    event, row = _event_and_place(event_id)
    form = RSVPForm()
    if not form.validate_on_submit():
        return render_event(event, form, 400)
    try:
        if row is None:
            raise NotAllowed("RSVP first, then say how many guests you bring.")
        rsvps.change_guests(row, form.guests.data or 0)
    except DomainError as exc:
        return render_event(event, form, exc=exc)
    row.show_in_list = form.show_in_list.data
    db.session.commit()
    flash("Your place is updated.", "success")
    return _back(event)


@bp.route("/mine")
@login_required
def mine():
    events, going, waiting = queries.my_feed(current_user)
    return render_template("events/mine.html", events=events, going=going, waiting=waiting,
                           feed_url=calendar_feed.url_for_member(current_user))


@bp.route("/mine/calendar/new-address", methods=["POST"])
@login_required
def new_feed_address():
    calendar_feed.regenerate(current_user)
    db.session.commit()
    flash("Your calendar has a new address: the old one stops working now. Subscribe again with the new one.",
          "success")
    return redirect(url_for("events.mine"))
