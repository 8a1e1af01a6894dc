"""The events blueprint. Its views live in the modules below, one per part of events."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

def event_for(event_id: int, action: str | None = None):
    """The event, or 404 when the viewer may not see it; with `action`, refused (403) unless they may do it."""
    from flask_login import current_user

    from ...core.permissions import require
    from .. import queries

    event = queries.event_or_404(event_id, current_user)
    if action is not None:
        require(current_user, action, event)
    return event


@bp.app_template_filter("event_when")
def event_when(event, zone=None):
    """"Tuesday 9 March 2027, 19:00–21:00 (Europe/Berlin)" in the viewer's zone (or `zone`)."""
    from flask_login import current_user

    from ..mailing import when

    return when(event, zone or getattr(current_user, "time_zone", None) or event.time_zone)


from . import after, calendars, chapters, door, organise, pages, places, plan  # noqa: E402, F401  (add routes)
