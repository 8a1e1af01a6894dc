"""Calendar files and feeds (text/calendar; charset=utf-8, with an ETag): one event, a chapter, the whole
community, and a member's own feed behind its secret address."""

import hashlib

from flask import Response, abort, request
from flask_login import current_user

from .. import calendar_feed, ics, queries
from . import bp, event_for


def _calendar(body: bytes, filename: str) -> Response:
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    if request.if_none_match.contains_weak(etag):  # (If-None-Match compares weakly: RFC 9110 13.1.2)
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(etag)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/<id:event_id>.ics")
def event_ics(event_id):
    event = event_for(event_id)
    going = queries.place(event, current_user).going
    return _calendar(ics.calendar([event], name=event.title, going=[event.id] if going else []),
                     f"event-{event.id}.ics")


@bp.route("/c/<slug>.ics")
def chapter_ics(slug):
    chapter = queries.chapter_or_404(slug)
    return _calendar(ics.calendar(queries.feed(chapter), name=chapter.name), f"{chapter.slug}.ics")


@bp.route("/calendar.ics")
def community_ics():
    from flask import current_app

    name = f"{current_app.config['COMMUNITY_NAME']} events"
    return _calendar(ics.calendar(queries.feed(), name=name), "events.ics")


@bp.route("/mine/<token>.ics")
def my_calendar(token):
    member = calendar_feed.member_for(token)
    if member is None:
        abort(404)
    events, going, waiting = queries.my_feed(member)
    return _calendar(ics.calendar(events, name=f"My events · {member.name}", going=going, tentative=waiting),
                     "my-events.ics")
