"""Calendars (RFC 5545) built with icalendar 7: it escapes, folds and writes the VTIMEZONEs; nothing here writes
.ics text by hand.

- UID `event-<id>@<host>` for the event's whole life; SEQUENCE rises on every change of time, place, status or
  rule (services.py); DTSTAMP and LAST-MODIFIED in UTC; DTSTART/DTEND in the event's zone with its VTIMEZONE.
- The online link and the exact address go only into the calendars of people who are going (`going` below).
- Feeds (event, chapter, community, a member's own) carry NAME, X-WR-CALNAME, REFRESH-INTERVAL and
  X-PUBLISHED-TTL of an hour; cancelled events stay in feeds as STATUS:CANCELLED for 30 days (queries.py).
"""

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app

from ..core.text import plain
from ..core.timeutil import aware, utcnow
from ..core.urls import public_url
from .models import Event

HOUR = timedelta(hours=1)
PRODID = "-//Harbor Community//Community portal events//EN"


def uid(event: Event) -> str:
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return f"event-{event.id}@{host}"


def where(event: Event, going: bool) -> str:
    """The place as a calendar shows it: the venue for everyone; the address and online link only for those going."""
    parts = [event.venue] if event.venue else []
    if going and event.is_in_person and event.address:
        parts.append(" ".join(event.address.split()))
    if going and event.is_online and event.online_url:
        parts.append(event.online_url)
    if not parts and event.is_online:
        parts.append("Online")
    return ", ".join(parts)


def component(event: Event, *, going: bool = False, tentative: bool = False, attendee: str | None = None,
              withdrawn: bool = False, stamp=None):
    """The VEVENT of `event` as the reader may see it (`withdrawn`: cancelled for this reader, METHOD:CANCEL).
    DTSTAMP: when the mail is written (`stamp`); in a feed (no METHOD), the event's last change, as RFC 5545
    says, so that an unchanged feed is byte for byte the same (and keeps its ETag)."""
    zone = ZoneInfo(event.time_zone)
    url = public_url("events.event", event_id=event.id, slug=event.slug)
    description = plain(event.description_html)
    if going and event.is_online and event.online_url:
        description = f"{description}\n\nJoin online: {event.online_url}".strip()
    status = "CANCELLED" if event.status == "cancelled" or withdrawn else ("TENTATIVE" if tentative else "CONFIRMED")
    vevent = icalendar.Event.new(
        uid=uid(event), summary=event.title, start=aware(event.starts_at).astimezone(zone),
        end=aware(event.ends_at).astimezone(zone), stamp=stamp or aware(event.updated_at), sequence=event.sequence,
        description=f"{description}\n\n{url}".strip(), location=where(event, going) or None, url=url,
        status=status, created=aware(event.created_at))
    vevent.add("last-modified", aware(event.updated_at))
    if attendee:
        name, address = _split(current_app.config["MAIL_FROM"])
        organizer = icalendar.vCalAddress(f"mailto:{address}")
        organizer.params["cn"] = name or current_app.config["COMMUNITY_NAME"]
        vevent.add("organizer", organizer)
        person = icalendar.vCalAddress(f"mailto:{attendee}")
        person.params.update({"role": "REQ-PARTICIPANT", "partstat": "ACCEPTED" if going else "NEEDS-ACTION",
                              "rsvp": "FALSE"})
        vevent.add("attendee", person)
    return vevent


def _split(address: str) -> tuple[str, str]:
    from email.utils import parseaddr

    return parseaddr(address)


def calendar(events: Iterable[Event], *, name: str, going: Iterable[int] = (), tentative: Iterable[int] = (),
             method: str | None = None, attendee: str | None = None, withdrawn: bool = False) -> bytes:
    """A whole calendar; `going`/`tentative` are the ids of events the reader is going to / waiting for."""
    going, tentative = set(going), set(tentative)
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    cal = icalendar.Calendar.new(prodid=PRODID, name=name, refresh_interval=HOUR, method=method,
                                 uid=f"calendar-{hashlib.blake2b(name.encode(), digest_size=8).hexdigest()}@{host}")
    cal["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 asks for it
    cal["X-PUBLISHED-TTL"] = icalendar.vDuration(HOUR)  # (icalendar adds X-WR-CALNAME with NAME)
    stamp = utcnow() if method else None
    events = list(events)
    for event in events:
        cal.add_component(component(event, going=event.id in going, tentative=event.id in tentative,
                                    attendee=attendee, withdrawn=withdrawn, stamp=stamp))
    if events:  # VTIMEZONEs that cover the events' own dates (from 1970 to 2038 they run to 3 kB and list every
        # change as one RDATE, which vobject reads as a single date: summer times an hour off)
        first = min(aware(event.starts_at) for event in events).date() - timedelta(days=1)
        last = max(aware(event.ends_at) for event in events).date() + timedelta(days=1)
        cal.add_missing_timezones(first_date=first, last_date=max(last, first + timedelta(days=2)))
    return cal.to_ical()


def invitation(event: Event, email: str, *, going: bool, tentative: bool = False, cancel: bool = False) -> dict:
    """The .ics a mail carries: METHOD:REQUEST (add or update it in my calendar) or METHOD:CANCEL; a waitlisted
    member's is TENTATIVE, as in their own feed."""
    method = "CANCEL" if cancel else "REQUEST"
    body = calendar([event], name=event.title, going=[event.id] if going else [],
                    tentative=[event.id] if tentative else [], method=method, attendee=email, withdrawn=cancel)
    return {"filename": "invite.ics", "content_type": f"text/calendar; method={method}",
            "text": body.decode("utf-8")}
