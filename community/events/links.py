""""Add to calendar" links: Google, Outlook, the .ics file and a webcal:// subscription. They carry only what
everyone may see (the venue, never the exact address or the online link)."""

from datetime import UTC
from urllib.parse import urlencode

from flask import url_for

from ..core.text import plain
from ..core.timeutil import aware
from ..core.urls import public_url
from . import ics
from .models import Event


def add_to_calendar(event: Event) -> dict[str, str]:
    start, end = aware(event.starts_at).astimezone(UTC), aware(event.ends_at).astimezone(UTC)
    page = public_url("events.event", event_id=event.id, slug=event.slug)
    details = f"{plain(event.description_html)[:500]}\n\n{page}".strip()
    place = ics.where(event, going=False)
    google = "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE", "text": event.title, "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": details, "location": place, "ctz": event.time_zone})
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": event.title,
        "startdt": start.isoformat(), "enddt": end.isoformat(), "body": details, "location": place})
    feed = public_url("events.event_ics", event_id=event.id)
    return {"google": google, "outlook": outlook, "ics": url_for("events.event_ics", event_id=event.id),
            "webcal": "webcal://" + feed.split("://", 1)[1]}
