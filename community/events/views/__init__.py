"""The events blueprint. Its views live in the modules below, one per part of events."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

@bp.app_template_filter("event_when")
def event_when(event, zone=None):
    """"Tuesday 9 March 2027, 19:00–21:00 (Europe/Berlin)" in the viewer's zone (or `zone`)."""
    from flask_login import current_user

    from ..mailing import when

    return when(event, zone or getattr(current_user, "time_zone", None) or event.time_zone)


from . import after, calendars, chapters, door, organise, pages, places, plan  # noqa: E402, F401  (add routes)
