"""The pages everyone sees: the events list, a chapter, an event."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.errors import DomainError
from ...core.forms import refuse
from ...core.permissions import can, require
from ...extensions import csrf, db
from .. import announcing, links, queries, services
from ..forms import RSVPForm
from . import bp, event_for


@bp.route("/")
def index():
    page = queries.upcoming(current_user, after=request.args.get("after"))
    chapters = queries.chapters()
    organiser = current_user.is_authenticated and any(p.id == current_user.id for c in chapters for p in c.organisers)
    return render_template("events/index.html", page=page, places=queries.my_places(current_user, page.events),
                           chapters=chapters, may_create=can(current_user, "events.create") or organiser,
                           may_manage_chapters=can(current_user, "events.manage_chapters"))


@bp.route("/c/<slug>")
def chapter(slug):
    chapter = queries.chapter_or_404(slug)
    page = queries.upcoming(current_user, chapter=chapter, after=request.args.get("after"))
    return render_template("events/chapter.html", chapter=chapter, page=page, past=queries.past(current_user, chapter),
                           places=queries.my_places(current_user, page.events),
                           member=queries.is_chapter_member(chapter, current_user),
                           may_create=can(current_user, "events.create", chapter))


@bp.route("/c/<slug>/join", methods=["POST"])
@login_required
def join_chapter(slug):
    chapter = queries.chapter_or_404(slug)
    require(current_user, "events.rsvp")
    joined = services.join_chapter(chapter, current_user)
    db.session.commit()
    flash(f"You joined {chapter.name}: we mail you when it publishes an event." if joined
          else f"You're a member of {chapter.name} already.", "success")
    return redirect(url_for("events.chapter", slug=chapter.slug))


@bp.route("/c/<slug>/leave", methods=["POST"])
@login_required
def leave_chapter(slug):
    chapter = queries.chapter_or_404(slug)
    services.leave_chapter(chapter, current_user)
    db.session.commit()
    flash(f"You left {chapter.name}: no more mail about its events.", "success")
    return redirect(url_for("events.chapter", slug=chapter.slug))


@bp.route("/chapters/leave/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without a form; the signed token is the authority
def leave_chapter_mail(token):
    chapter, member = announcing.from_token(token)
    if request.method == "POST":
        services.leave_chapter(chapter, member)
        db.session.commit()
    return render_template("events/left_chapter.html", chapter=chapter, member=member,
                           done=request.method == "POST", token=token)


@bp.route("/<id:event_id>")
@bp.route("/<id:event_id>-<slug>")
def event(event_id, slug=None):
    event = event_for(event_id)
    if slug != event.slug:
        return redirect(url_for("events.event", event_id=event.id, slug=event.slug,
                                invitation=request.args.get("invitation")), 301)
    return render_event(event, RSVPForm(invitation=request.args.get("invitation")))


def render_event(event, form, status=200, exc: DomainError | None = None):
    """The event page as the viewer may see it; with `exc`, the RSVP form shows the refusal."""
    place = queries.place(event, current_user)
    if place.rsvp is not None and not form.is_submitted():  # the place's own values in its form
        form.guests.data, form.show_in_list.data = place.rsvp.guests, place.rsvp.show_in_list
    context = {"event": event, "place": place, "counts": queries.counts(event),
               "attendees": queries.attendees_shown(event, place), "calendar_links": links.add_to_calendar(event),
               "invitation": queries.invitation_for(event, form.invitation.data)}
    if exc is not None:
        return refuse(form, "events/event.html", exc, **context)
    return render_template("events/event.html", form=form, **context), status
