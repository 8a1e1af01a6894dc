"""Calendars (.ics, RFC 5545): every file and feed the portal serves or mails, read back with icalendar AND vobject.

What is checked on each one (`read`): both libraries parse it; icalendar kept no parse errors; icalendar's own
validate() passes, and, since that does not look at VEVENTs, UID (`event-<id>@<host>`), DTSTAMP, LAST-MODIFIED and
CREATED (UTC), DTSTART/DTEND (TZID of the event's zone, with its VTIMEZONE), SEQUENCE, STATUS, URL and a plain-text
DESCRIPTION that holds the event's address are asserted here; no DATE-TIME is floating; each VTIMEZONE gives the
instants the zone database gives (read by dateutil and by icalendar's to_tz()); vobject sees the same events, wall
times, zones, stamps, SEQUENCE and STATUS. (Not vobject's instants: vobject 0.9.9 keeps only the first value of a
multi-valued RDATE inside a VTIMEZONE, so it reads summer times an hour off; see `read`.)"""

import html
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
import vobject
from dateutil import tz
from vobject.icalendar import TimezoneComponent

from community.core.timeutil import aware
from community.events import calendar_feed, queries, rsvps, services
from community.extensions import db
from tests.factories import make_chapter, make_event, make_member

MEETING = "https://meet.example/j/secret-room-42"  # an online link only those going may see
ADDRESS = "Hinterhaus, Schönhauser Allee 36, 10435 Berlin"  # an exact address only those going may see
SECRETS = {"in_person": ("Schönhauser Allee 36",), "online": (MEETING, "secret-room-42"),
           "hybrid": ("Schönhauser Allee 36", MEETING, "secret-room-42")}
CALENDAR_TYPE = "text/calendar; charset=utf-8"
DATE_TIME = re.compile(r"^\d{8}T\d{6}Z?$")


# Reading calendars back ------------------------------------------------------------------------------------------

def unfolded(text: str) -> list[str]:
    """The content lines of an .ics text, folding undone (RFC 5545 3.1)."""
    assert "\r\n" in text, "content lines end with CRLF"
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def readable(text: str) -> str:
    """The .ics text as a reader's calendar shows it: unfolded, escapes undone (to search for what must not leak)."""
    lines = "\n".join(unfolded(text))
    return lines.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _split_line(line: str) -> tuple[str, str, str]:
    """NAME, ;PARAMS and VALUE of a content line (a ':' inside a quoted parameter value doesn't end the name)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:index], line[index + 1:]
            name, _, params = head.partition(";")
            return name.upper(), params.upper(), value
    raise AssertionError(f"not a content line: {line!r}")


def assert_no_floating_times(text: str) -> None:
    """Every DATE-TIME value carries a TZID or is UTC ('Z'). Inside a VTIMEZONE's STANDARD/DAYLIGHT, DTSTART and
    RDATE are local times of that very zone by definition (RFC 5545 3.6.5: they MUST NOT carry TZID or 'Z')."""
    depth = 0
    for line in unfolded(text):
        if not line:
            continue
        name, params, value = _split_line(line)
        if name == "BEGIN" and value.upper() == "VTIMEZONE":
            depth += 1
        elif name == "END" and value.upper() == "VTIMEZONE":
            depth -= 1
        elif depth == 0:
            for item in value.split(","):
                if DATE_TIME.match(item):
                    assert item.endswith("Z") or "TZID=" in params, f"floating time: {line!r}"


def read(data: bytes | str, app=None) -> icalendar.Calendar:
    """Parse `data` with icalendar and vobject and assert what every calendar of the portal has (module docstring)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    calendar = icalendar.Calendar.from_ical(text)
    assert isinstance(calendar, icalendar.Calendar)
    errors = [(component.name, error) for component in calendar.walk() for error in component.errors]
    assert not errors, errors
    if calendar.subcomponents:  # (an empty feed, a new chapter's, has none: see the test of empty feeds)
        calendar.validate()
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])

    lines = unfolded(text)
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    used = set()
    for vevent in calendar.walk("VEVENT"):
        uid = str(vevent.get("UID", ""))
        assert re.fullmatch(r"event-\d+@localhost", uid), f"UID {uid!r}"
        for name in ("DTSTAMP", "LAST-MODIFIED", "CREATED"):
            assert name in vevent, f"{uid} has no {name}"
            assert vevent.decoded(name).utcoffset() == timedelta(0), f"{uid} {name} is not UTC"
        for name in ("DTSTART", "DTEND"):
            value = vevent[name]
            assert isinstance(value.dt, datetime) and value.dt.tzinfo is not None, f"{uid} {name} is floating"
            assert value.params.get("TZID") == str(value.dt.tzinfo), f"{uid} {name} has no TZID of its zone"
            used.add(value.params["TZID"])
        assert isinstance(vevent.decoded("SEQUENCE"), int)
        assert str(vevent["STATUS"]) in ("CONFIRMED", "TENTATIVE", "CANCELLED")
        url = str(vevent["URL"])
        assert url.startswith("http://localhost/events/")
        description = str(vevent["DESCRIPTION"])
        assert url in description, "DESCRIPTION carries the event's address"
        assert not re.search(r"</?[a-zA-Z][^>]*>", description), f"HTML in DESCRIPTION: {description!r}"
        assert not re.search(r"&(amp|lt|gt|quot|#\d+);", description), f"HTML entities in DESCRIPTION: {description!r}"
    assert used == zones, f"each TZID in use has its VTIMEZONE, and only those: used {used}, defined {zones}"
    for line in lines:
        if line.startswith(("DTSTAMP", "LAST-MODIFIED", "CREATED")):
            assert line.endswith("Z") and ";" not in line.partition(":")[0], f"not UTC: {line!r}"
    assert_no_floating_times(text)

    # The VTIMEZONEs themselves say what the zone database says at each event's times: read by dateutil's tzical
    # and by icalendar's own to_tz() (icalendar's parsed DTSTART/DTEND above take the zone by its TZID name).
    definitions = tz.tzical(io.StringIO(text))
    for vevent in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            instant, zone = vevent.decoded(name), vevent[name].params["TZID"]
            wall = instant.replace(tzinfo=None)
            assert wall.replace(tzinfo=definitions.get(zone)) == instant, f"VTIMEZONE {zone} at {wall} (dateutil)"
            defined = next(item for item in calendar.walk("VTIMEZONE") if str(item["TZID"]) == zone).to_tz()
            assert wall.replace(tzinfo=defined) == instant, f"VTIMEZONE {zone} at {wall} (icalendar)"

    # vobject: a second, independent reader. It ties DTSTART/DTEND to the calendar's own VTIMEZONE; it reads
    # only the first value of a multi-valued RDATE inside a VTIMEZONE (vobject 0.9.9 treats it as TEXT), so its
    # offsets for summer times are off: compare wall times and zones, not instants (see the VTIMEZONE check above).
    other = vobject.readOne(text)
    assert other.name == "VCALENDAR"
    assert {item.tzid.value for item in other.contents.get("vtimezone", [])} == zones
    theirs = {item.uid.value: item for item in other.contents.get("vevent", [])}
    ours = {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}
    assert theirs.keys() == ours.keys()
    for uid, item in theirs.items():
        for name in ("dtstart", "dtend"):
            value, mine = item.contents[name][0].value, ours[uid][name]
            assert value.replace(tzinfo=None) == mine.dt.replace(tzinfo=None), f"{uid} {name}: {value!r}"
            assert TimezoneComponent.pickTzid(value.tzinfo) == mine.params["TZID"], f"{uid} {name}: {value!r}"
        assert item.dtstamp.value == ours[uid].decoded("DTSTAMP")
        assert item.dtstamp.value.utcoffset() == timedelta(0)
        assert item.last_modified.value == ours[uid].decoded("LAST-MODIFIED")
        assert item.sequence.value == str(ours[uid].decoded("SEQUENCE"))
        assert item.status.value == str(ours[uid]["STATUS"])
    return calendar


def fetch(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    assert response.headers.get("ETag")
    return read(response.data)


def fetch_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def vevent_of(calendar: icalendar.Calendar, event) -> icalendar.Event:
    found = [vevent for vevent in calendar.walk("VEVENT") if str(vevent["UID"]) == f"event-{event.id}@localhost"]
    assert len(found) == 1, f"event {event.id} is in the calendar once ({len(found)} times)"
    return found[0]


def uids(calendar: icalendar.Calendar) -> set[str]:
    return {str(vevent["UID"]) for vevent in calendar.walk("VEVENT")}


# Mail ----------------------------------------------------------------------------------------------------------

def mail_to(smtp, member, subject: str):
    """The one mail to `member` whose subject starts with `subject`."""
    found = [message for message in smtp.wait_for(1) if message["To"] == member.email
             and message["Subject"].startswith(subject)]
    assert len(found) == 1, [(message["To"], message["Subject"]) for message in smtp.messages]
    return found[0]


def invite(message, method: str) -> str:
    """The invite.ics a mail carries (text/calendar; method=…), as text."""
    parts = [part for part in message.iter_attachments() if part.get_filename() == "invite.ics"]
    assert len(parts) == 1, f"{message['Subject']!r} carries one invite.ics"
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == method
    return part.get_content()


def bodies(message) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


# Setting up ----------------------------------------------------------------------------------------------------

def feed_address(client) -> str:
    """The personal feed's address as /events/mine shows it to the signed-in member."""
    page = fetch_text(client, "/events/mine")
    match = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page)
    assert match, "the feed address is on /events/mine"
    url = html.unescape(match.group(1))
    assert url.startswith("http://localhost/events/mine/") and url.endswith(".ics")
    return url


def personal_feed_path(member) -> str:
    token = calendar_feed.token_for(member)
    db.session.commit()
    return f"/events/mine/{token}.ics"


def edit(event, host, **changes):
    """services.update_event with the event's own values, `changes` applied (wall times in the event's zone)."""
    changed = services.update_event(event, host, replace(services.details_of(event), **changes))
    db.session.commit()
    return changed


# The tests -----------------------------------------------------------------------------------------------------

def test_every_calendar_the_portal_serves_or_mails_parses_with_icalendar_and_vobject(client, smtp, app):
    host = make_member("host", role="manager")
    chapter = make_chapter()
    event = make_event(host, chapter=chapter, kind="hybrid", online_url=MEETING, address=ADDRESS,
                       description="Talks, **pizza** and a [map](https://example.org/map).")
    make_event(host, chapter=chapter, time_zone="America/New_York", days=200)  # another zone, across DST
    going, leaving = make_member("ana"), make_member("ben")
    rsvps.rsvp(event, going)
    rsvps.rsvp(event, leaving)
    db.session.commit()
    rsvps.cancel(rsvps.mine(event, leaving))
    db.session.commit()

    served = {url: fetch(client, url) for url in (f"/events/{event.id}.ics", "/events/c/berlin.ics",
                                                 "/events/calendar.ics", personal_feed_path(going))}
    assert all(f"event-{event.id}@localhost" in uids(calendar) for calendar in served.values())
    assert len(served["/events/calendar.ics"].walk("VEVENT")) == 2
    assert len(served["/events/calendar.ics"].walk("VTIMEZONE")) == 2

    confirmation = read(invite(mail_to(smtp, going, "You're going:"), "REQUEST"))
    withdrawn = read(invite(mail_to(smtp, leaving, "You've cancelled:"), "CANCEL"))
    services.cancel_event(event, host, "The venue flooded.")
    db.session.commit()
    cancelled = read(invite(mail_to(smtp, going, "Cancelled:"), "CANCEL"))
    for calendar, method in ((confirmation, "REQUEST"), (withdrawn, "CANCEL"), (cancelled, "CANCEL")):
        assert str(calendar["METHOD"]) == method
        vevent = vevent_of(calendar, event)
        assert "ORGANIZER" in vevent and "ATTENDEE" in vevent
    assert str(vevent_of(withdrawn, event)["STATUS"]) == "CANCELLED"
    assert str(vevent_of(cancelled, event)["STATUS"]) == "CANCELLED"


def test_uid_is_stable_and_sequence_rises_by_one_on_each_change_of_time_or_place_and_on_cancel(client, smtp, app):
    host = make_member("host", role="manager")
    event = make_event(host, chapter=make_chapter(), capacity=2)
    uid = f"event-{event.id}@localhost"
    going = make_member("ana")
    rsvps.rsvp(event, going)
    db.session.commit()
    first = vevent_of(fetch(client, f"/events/{event.id}.ics"), event)
    assert str(first["UID"]) == uid and first.decoded("SEQUENCE") == 0

    def seen(expected_sequence):
        for url in (f"/events/{event.id}.ics", "/events/c/berlin.ics", "/events/calendar.ics"):
            vevent = vevent_of(fetch(client, url), event)
            assert str(vevent["UID"]) == uid, url
            assert vevent.decoded("SEQUENCE") == expected_sequence, url
        return vevent

    assert edit(event, host, title="A new title for the meetup", description="Now with slides.") == []
    assert str(seen(0)["SUMMARY"]) == "A new title for the meetup"  # a new title alone: no new SEQUENCE

    start = services.details_of(event).local_start
    assert edit(event, host, local_start=start + timedelta(hours=1), local_end=start + timedelta(hours=3))
    moved = seen(1)
    assert moved.decoded("DTSTART") == aware(event.starts_at)
    update = read(invite(mail_to(smtp, going, "Changed:"), "REQUEST"))
    assert str(vevent_of(update, event)["UID"]) == uid and vevent_of(update, event).decoded("SEQUENCE") == 1
    smtp.messages.clear()

    assert edit(event, host, venue="Fabrik 23, Berlin", address="Fabrikstraße 23, 10115 Berlin")
    assert "Fabrik 23" in str(seen(2)["LOCATION"])
    assert vevent_of(read(invite(mail_to(smtp, going, "Changed:"), "REQUEST")), event).decoded("SEQUENCE") == 2
    smtp.messages.clear()

    edit(event, host, capacity=5)  # seats, not time or place
    seen(2)

    services.cancel_event(event, host, "Speaker ill.")
    db.session.commit()
    assert str(seen(3)["STATUS"]) == "CANCELLED"
    withdrawal = vevent_of(read(invite(mail_to(smtp, going, "Cancelled:"), "CANCEL")), event)
    assert str(withdrawal["UID"]) == uid and withdrawal.decoded("SEQUENCE") == 3
    assert str(withdrawal["STATUS"]) == "CANCELLED"


def test_a_cancelled_event_stays_in_every_feed_as_cancelled_for_30_days(client, smtp, app):
    host = make_member("host", role="manager")
    event = make_event(host, chapter=make_chapter())
    going = make_member("ana")
    rsvps.rsvp(event, going)
    db.session.commit()
    mine = personal_feed_path(going)
    services.cancel_event(event, host)
    db.session.commit()

    for url in (f"/events/{event.id}.ics", "/events/c/berlin.ics", "/events/calendar.ics", mine):
        for _ in range(2):  # and on the next poll
            vevent = vevent_of(fetch(client, url), event)
            assert str(vevent["STATUS"]) == "CANCELLED", url
            assert vevent.decoded("SEQUENCE") == 1, url
    cancelled_at = aware(event.cancelled_at)
    assert event in queries.feed(now=cancelled_at + timedelta(days=29))
    assert event in queries.feed(event.chapter, now=cancelled_at + timedelta(days=29))
    assert event not in queries.feed(now=cancelled_at + timedelta(days=31))


def test_times_carry_the_events_zone_with_its_vtimezone_and_stamps_are_utc(client, smtp, app):
    host = make_member("host", role="manager")
    winter = make_event(host, time_zone="Europe/Berlin", days=10)
    summer = make_event(host, time_zone="America/New_York", days=200, hours=3)
    tokyo = make_event(host, time_zone="Asia/Tokyo", days=30)
    member = make_member("ana", time_zone="Asia/Kolkata")
    for event in (winter, summer, tokyo):
        rsvps.rsvp(event, member)
    db.session.commit()

    feeds = {"/events/calendar.ics": fetch(client, "/events/calendar.ics"),
             "mine": fetch(client, personal_feed_path(member))}
    for name, calendar in feeds.items():
        assert {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")} == {
            "Europe/Berlin", "America/New_York", "Asia/Tokyo"}, name
        for event in (winter, summer, tokyo):
            vevent = vevent_of(calendar, event)
            assert vevent["DTSTART"].params["TZID"] == event.time_zone
            assert vevent["DTEND"].params["TZID"] == event.time_zone
            assert vevent.decoded("DTSTART") == aware(event.starts_at)  # the same instant
            assert vevent.decoded("DTEND") == aware(event.ends_at)
            assert vevent.decoded("DTSTART").strftime("%H:%M") == "19:00"  # the wall time as entered, in its zone
            assert vevent.decoded("LAST-MODIFIED") == aware(event.updated_at).replace(microsecond=0)
    raw = fetch_text(client, f"/events/{summer.id}.ics")
    assert re.search(r"^DTSTART;TZID=America/New_York:\d{8}T190000\r$", raw, re.M)
    assert re.search(r"^DTEND;TZID=America/New_York:\d{8}T220000\r$", raw, re.M)
    assert re.search(r"^DTSTAMP:\d{8}T\d{6}Z\r$", raw, re.M) and re.search(r"^LAST-MODIFIED:\d{8}T\d{6}Z\r$", raw, re.M)
    # (read() has checked DTSTAMP/LAST-MODIFIED in UTC and no floating time in every calendar above, mail included)
    stamp = vevent_of(read(invite(mail_to(smtp, member, f"You're going: {winter.title}"), "REQUEST")), winter)
    assert abs(stamp.decoded("DTSTAMP") - datetime.now(UTC)) < timedelta(minutes=5)  # a mail's: when it is written


def test_calendars_have_a_name_and_refresh_interval_and_published_ttl_of_one_hour(client, app):
    event = make_event(chapter=make_chapter("Hamburg", city="Hamburg"), title="Harbour walk and talks")
    member = make_member("ana", display_name="Ana Lima")
    rsvps.rsvp(event, member)
    db.session.commit()
    names = {f"/events/{event.id}.ics": "Harbour walk and talks", "/events/c/hamburg.ics": "Hamburg",
             "/events/calendar.ics": f"{app.config['COMMUNITY_NAME']} events",
             personal_feed_path(member): "My events · Ana Lima"}
    for url, name in names.items():
        calendar = fetch(client, url)
        assert str(calendar["NAME"]) == name, url
        assert str(calendar["X-WR-CALNAME"]) == name, url
        assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1), url
        assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION", url  # RFC 7986 3.8
        assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H", url
        assert "METHOD" not in calendar, f"{url}: a feed, not an iTIP message"
        other = vobject.readOne(fetch_text(client, url))
        assert other.contents["refresh-interval"][0].value == "PT1H"
        assert other.contents["x-published-ttl"][0].value == "PT1H"
        assert other.contents["x-wr-calname"][0].value == name


def test_calendar_responses_are_text_calendar_utf8_with_an_etag_that_answers_304(client, app):
    host = make_member("host", role="manager")
    event = make_event(host, chapter=make_chapter(), title="Kaffee und Kuchen für Kunden")
    member = make_member("ana")
    rsvps.rsvp(event, member)
    db.session.commit()
    urls = [f"/events/{event.id}.ics", "/events/c/berlin.ics", "/events/calendar.ics", personal_feed_path(member)]
    etags = {}
    for url in urls:
        first, second = client.get(url), client.get(url)
        assert first.headers["Content-Type"] == CALENDAR_TYPE, url
        assert "für" in first.get_data(as_text=True)  # UTF-8, as the header says
        etag = first.headers["ETag"]
        assert re.fullmatch(r'"[^"]+"', etag), f"{url}: a strong, quoted ETag ({etag})"
        assert second.headers["ETag"] == etag and second.data == first.data, f"{url}: unchanged, the same bytes"
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b"" and again.headers["ETag"] == etag, url
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
        etags[url] = etag

    edit(event, host, venue="Fabrik 23, Berlin")
    for url in urls:
        changed = client.get(url, headers={"If-None-Match": etags[url]})
        assert changed.status_code == 200, f"{url}: changed, so sent again"
        assert changed.headers["ETag"] != etags[url] and b"Fabrik 23" in changed.data


def test_a_weak_validator_in_if_none_match_also_answers_304(client, app):
    """RFC 9110 13.1.2: If-None-Match compares weakly. A proxy that compresses the feed sends the ETag on as
    W/"…", and calendar apps poll with that: they must get their 304 too."""
    event = make_event()
    for url in (f"/events/{event.id}.ics", "/events/calendar.ics"):
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304, url


def test_description_is_plain_text_with_the_event_url_and_a_url_property(client, app):
    event = make_event(description="## Agenda\n\nTalks on **bold** ideas, *fish & chips* for 2 < 3 people, and "
                                   "[the slides](https://example.org/slides).\n\n- one\n- two")
    page = f"http://localhost/events/{event.id}-{event.slug}"
    for url in (f"/events/{event.id}.ics", "/events/calendar.ics"):
        vevent = vevent_of(fetch(client, url), event)
        description = str(vevent["DESCRIPTION"])
        assert "bold ideas" in description and "the slides" in description
        assert "fish & chips for 2 < 3 people" in description  # entities undone; a '<' that is text stays
        assert "**" not in description and "<strong>" not in description and "<a " not in description
        assert description.endswith(page)
        assert str(vevent["URL"]) == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("kind", ["in_person", "online", "hybrid"])
def test_online_link_and_exact_address_reach_only_the_calendars_of_members_who_are_going(kind, client, login, app):
    host = make_member("host", role="manager")
    chapter = make_chapter()
    event = make_event(host, chapter=chapter, capacity=1, kind=kind, online_url=MEETING, address=ADDRESS)
    going, waiting = make_member("ana"), make_member("ben")
    rsvps.rsvp(event, going)
    assert rsvps.rsvp(event, waiting).state == "waitlisted"
    db.session.commit()
    secrets = SECRETS[kind]

    def hidden(text, where):
        shown = readable(text)
        for secret in secrets:
            assert secret not in shown, f"{secret!r} leaked in {where}"
        return shown

    def shown(text, where):
        visible = readable(text)
        for secret in secrets:
            assert secret in visible, f"{secret!r} missing from {where}"
        read(text)
        return visible

    anonymous = {url: fetch_text(client, url) for url in (f"/events/{event.id}.ics", "/events/c/berlin.ics",
                                                         "/events/calendar.ics")}
    for url, text in anonymous.items():
        read(text)
        hidden(text, f"{url} (signed out)")
        location = str(vevent_of(read(text), event).get("LOCATION", ""))
        assert location == ("Online" if kind == "online" else "Kulturbrauerei, Berlin")
    tentative = fetch_text(client, personal_feed_path(waiting))
    assert str(vevent_of(read(tentative), event)["STATUS"]) == "TENTATIVE"
    hidden(tentative, "the waitlisted member's own feed")

    login(waiting)
    assert client.get("/events/mine").status_code == 200, "signed in"
    hidden(fetch_text(client, f"/events/{event.id}.ics"), "the event .ics signed in as a waitlisted member")
    hidden(fetch_text(client, "/events/calendar.ics"), "the community feed signed in as a waitlisted member")

    mine = shown(fetch_text(client, personal_feed_path(going)), "the going member's own feed")
    assert "STATUS:CONFIRMED" in mine
    theirs = app.test_client()
    theirs.submit("/account/login", {"login": going.username, "password": "correct horse battery"})
    assert theirs.get("/events/mine").status_code == 200, "signed in"
    shown(theirs.get(f"/events/{event.id}.ics").get_data(as_text=True), "the event .ics signed in as going")
    hidden(theirs.get("/events/c/berlin.ics").get_data(as_text=True), "the chapter feed, even for those going")
    hidden(theirs.get("/events/calendar.ics").get_data(as_text=True), "the community feed, even for those going")


@pytest.mark.parametrize("kind", ["in_person", "online", "hybrid"])
def test_mails_carry_the_online_link_and_address_only_to_members_who_are_going(kind, smtp, app):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=1, kind=kind, online_url=MEETING, address=ADDRESS)
    going, waiting = make_member("ana"), make_member("ben")
    rsvps.rsvp(event, going)
    rsvps.rsvp(event, waiting)
    db.session.commit()
    secrets = SECRETS[kind]

    confirmation = mail_to(smtp, going, "You're going:")
    for text, where in ((bodies(confirmation), "the confirmation's body"),
                        (readable(invite(confirmation, "REQUEST")), "the confirmation's invite.ics")):
        for secret in secrets:
            assert secret in text, f"{secret!r} missing from {where}"
    attendee = vevent_of(read(invite(confirmation, "REQUEST")), event)["ATTENDEE"]
    assert str(attendee) == f"mailto:{going.email}" and attendee.params["PARTSTAT"] == "ACCEPTED"

    waitlisted = mail_to(smtp, waiting, "You're on the waitlist:")
    assert not list(waitlisted.iter_attachments())
    for secret in secrets:
        assert secret not in bodies(waitlisted), f"{secret!r} leaked to a waitlisted member"

    smtp.messages.clear()
    start = services.details_of(event).local_start
    edit(event, host, local_start=start + timedelta(days=1), local_end=start + timedelta(days=1, hours=2))
    for member, should_see in ((going, True), (waiting, False)):
        changed = mail_to(smtp, member, "Changed:")
        ics = invite(changed, "REQUEST")
        read(ics)
        for text in (bodies(changed), readable(ics)):
            for secret in secrets:
                assert (secret in text) is should_see, f"{secret!r} in the change mail to {member.username}"

    smtp.messages.clear()
    services.cancel_event(event, host, "Speaker ill.")
    db.session.commit()
    for member in (going, waiting):
        cancelled = mail_to(smtp, member, "Cancelled:")
        ics = invite(cancelled, "CANCEL")
        read(ics)
        for secret in secrets:  # nobody is going to a cancelled event
            assert secret not in readable(ics) and secret not in bodies(cancelled)


def test_change_mail_to_a_waitlisted_member_keeps_the_event_tentative_as_in_their_feed(smtp, client, app):
    """The same member, the same UID and SEQUENCE: the invite.ics of the change mail must not tell their calendar
    CONFIRMED while their own feed says TENTATIVE (they have no seat)."""
    host = make_member("host", role="manager")
    event = make_event(host, capacity=1)
    going, waiting = make_member("ana"), make_member("ben")
    rsvps.rsvp(event, going)
    rsvps.rsvp(event, waiting)
    db.session.commit()
    edit(event, host, venue="Fabrik 23, Berlin")
    in_feed = vevent_of(fetch(client, personal_feed_path(waiting)), event)
    in_mail = vevent_of(read(invite(mail_to(smtp, waiting, "Changed:"), "REQUEST")), event)
    assert str(in_feed["STATUS"]) == "TENTATIVE"
    assert in_mail.decoded("SEQUENCE") == in_feed.decoded("SEQUENCE")
    assert str(in_mail["STATUS"]) == str(in_feed["STATUS"])


def test_personal_feed_lists_going_as_confirmed_and_waitlisted_as_tentative_and_nothing_else(client, app):
    host = make_member("host", role="manager")
    full = make_event(host, capacity=1, title="A full meetup with a waitlist")
    roomy = make_event(host, title="A roomy meetup with seats")
    members_only = make_event(host, title="A meetup for members only", visibility="members")
    left = make_event(host, title="A meetup I left again")
    unrelated = make_event(host, title="A meetup I never answered")
    member = make_member("ana")
    rsvps.rsvp(full, make_member("ben"))
    assert rsvps.rsvp(full, member).state == "waitlisted"
    rsvps.rsvp(roomy, member)
    rsvps.rsvp(members_only, member)
    rsvps.rsvp(left, member)
    db.session.commit()
    rsvps.cancel(rsvps.mine(left, member))
    db.session.commit()

    calendar = fetch(client, personal_feed_path(member))
    assert uids(calendar) == {f"event-{event.id}@localhost" for event in (full, roomy, members_only)}
    assert f"event-{unrelated.id}@localhost" not in uids(calendar)
    assert str(vevent_of(calendar, full)["STATUS"]) == "TENTATIVE"
    assert str(vevent_of(calendar, roomy)["STATUS"]) == "CONFIRMED"
    assert str(vevent_of(calendar, members_only)["STATUS"]) == "CONFIRMED"
    assert "Schönhauser" in str(vevent_of(calendar, roomy)["LOCATION"])
    assert "Schönhauser" not in str(vevent_of(calendar, full)["LOCATION"])


def test_empty_feeds_of_a_new_chapter_and_a_member_without_events_still_parse(client, app):
    make_chapter("Lisbon", city="Lisbon", time_zone="Europe/Lisbon")
    for url in ("/events/c/lisbon.ics", "/events/calendar.ics", personal_feed_path(make_member("ana"))):
        calendar = fetch(client, url)
        assert not calendar.walk("VEVENT") and not calendar.walk("VTIMEZONE"), url
        assert str(calendar["NAME"]) and str(calendar["X-PUBLISHED-TTL"]) == "PT1H", url


def test_an_unknown_personal_feed_token_is_404(client, app):
    member = make_member("ana")
    rsvps.rsvp(make_event(), member)
    db.session.commit()
    real = personal_feed_path(member)
    assert client.get(real).status_code == 200
    token = real.rsplit("/", 1)[1].removesuffix(".ics")
    nearly = token[:-1] + ("B" if token.endswith("A") else "A")  # one character off
    for token in ("nope", "x" * 43, nearly):
        response = client.get(f"/events/mine/{token}.ics")
        assert response.status_code == 404, token
        assert b"BEGIN:VCALENDAR" not in response.data


def test_regenerating_the_feed_address_retires_the_old_one_and_the_new_one_works(client, login, app):
    member = make_member("ana")
    event = make_event()
    rsvps.rsvp(event, member)
    db.session.commit()
    login(member)
    old = feed_address(client)
    assert feed_address(client) == old  # one address, until asked for a new one
    assert vevent_of(fetch(client, old), event)

    response = client.submit("/events/mine/calendar/new-address", page="/events/mine")
    assert response.status_code in (302, 303)
    new = feed_address(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert vevent_of(fetch(client, new), event)
    stranger = app.test_client()  # the address alone is the key: no session needed
    assert stranger.get(new).status_code == 200
    assert stranger.get(old).status_code == 404


def test_drafts_and_members_only_events_never_appear_in_the_public_feeds(client, login, app):
    host = make_member("host", role="manager")
    chapter = make_chapter()
    public = make_event(host, chapter=chapter, title="A public meetup for all")
    draft = make_event(host, chapter=chapter, title="A draft nobody should see", publish=False)
    members = make_event(host, chapter=chapter, title="A meetup for members only", visibility="members")
    wanted = {f"event-{public.id}@localhost"}
    for url in ("/events/calendar.ics", "/events/c/berlin.ics"):
        assert uids(fetch(client, url)) == wanted, url
        text = fetch_text(client, url)
        assert "draft nobody" not in text and "members only" not in text
    assert client.get(f"/events/{draft.id}.ics").status_code == 404
    assert client.get(f"/events/{members.id}.ics").status_code == 404

    login(host)  # the feeds are public files: what the one who fetches them may see doesn't widen them
    for url in ("/events/calendar.ics", "/events/c/berlin.ics"):
        assert uids(fetch(client, url)) == wanted, url
    assert vevent_of(fetch(client, f"/events/{members.id}.ics"), members)  # (members see it on its own)


def test_a_draft_cancelled_before_it_was_ever_published_never_reaches_the_public_feeds(client, app):
    host = make_member("host", role="manager")
    chapter = make_chapter()
    draft = make_event(host, chapter=chapter, title="Secret product launch party", publish=False)
    services.cancel_event(draft, host, "Plans changed.")  # the "Cancel the event" button on the draft's page
    db.session.commit()
    for url in ("/events/calendar.ics", "/events/c/berlin.ics"):
        assert f"event-{draft.id}@localhost" not in uids(fetch(client, url)), url
        assert "Secret product launch" not in fetch_text(client, url), url
    assert client.get(f"/events/{draft.id}.ics").status_code == 404  # nor is its own .ics anyone's to fetch


def test_event_page_offers_google_outlook_ics_and_webcal_links_without_the_private_details(client, login, app):
    event = make_event(kind="hybrid", online_url=MEETING, address=ADDRESS, time_zone="Europe/Berlin",
                       title="Hybrid meetup with talks")
    member = make_member("ana")
    rsvps.rsvp(event, member)
    db.session.commit()
    login(member)  # going: the page may show them the link, the shareable calendar links still don't carry it
    page = fetch_text(client, f"/events/{event.id}-{event.slug}")
    panel = page[page.index("Add to your calendar"):]
    links = [html.unescape(href) for href in re.findall(r'<a href="([^"]+)"', panel)[:4]]
    by_kind = {"google": None, "outlook": None, "ics": None, "webcal": None}
    for link in links:
        parts = urlsplit(link)
        if parts.netloc == "calendar.google.com":
            by_kind["google"] = parts
        elif parts.netloc == "outlook.live.com":
            by_kind["outlook"] = parts
        elif parts.scheme == "webcal":
            by_kind["webcal"] = parts
        elif link.endswith(".ics"):
            by_kind["ics"] = parts
    assert all(by_kind.values()), links

    start, end = aware(event.starts_at).astimezone(UTC), aware(event.ends_at).astimezone(UTC)
    google = parse_qs(by_kind["google"].query)
    assert by_kind["google"].scheme == "https" and google["action"] == ["TEMPLATE"]
    assert google["text"] == ["Hybrid meetup with talks"]
    assert google["dates"] == [f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"]
    assert google["ctz"] == ["Europe/Berlin"] and google["location"] == ["Kulturbrauerei, Berlin"]
    outlook = parse_qs(by_kind["outlook"].query)
    assert by_kind["outlook"].scheme == "https" and outlook["subject"] == ["Hybrid meetup with talks"]
    assert datetime.fromisoformat(outlook["startdt"][0]) == start
    assert datetime.fromisoformat(outlook["enddt"][0]) == end
    for link in (by_kind["google"].geturl(), by_kind["outlook"].geturl()):
        assert f"/events/{event.id}-{event.slug}" in parse_qs(urlsplit(link).query).get("details", [""])[0] + \
            parse_qs(urlsplit(link).query).get("body", [""])[0]
        assert "secret-room-42" not in link and "Sch%C3%B6nhauser" not in link and "Schönhauser" not in link
    assert by_kind["ics"].path == f"/events/{event.id}.ics"
    assert vevent_of(fetch(client, by_kind["ics"].geturl()), event)
    assert by_kind["webcal"].geturl() == f"webcal://localhost/events/{event.id}.ics"
    assert client.get(f"http://{by_kind['webcal'].netloc}{by_kind['webcal'].path}").status_code == 200


def test_calendar_feeds_take_the_same_number_of_queries_for_one_event_or_many(client, count_queries, app):
    host = make_member("host", role="manager")
    chapter = make_chapter()
    member = make_member("ana")
    rsvps.rsvp(make_event(host, chapter=chapter), member)
    db.session.commit()
    mine = personal_feed_path(member)
    urls = ("/events/calendar.ics", "/events/c/berlin.ics", mine)

    def counts():
        found = {}
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found[url] = counter.count
        return found

    few = counts()
    for number in range(6):
        rsvps.rsvp(make_event(host, chapter=chapter, days=11 + number,
                              time_zone=("Europe/Berlin", "Asia/Tokyo")[number % 2]), member)
    db.session.commit()
    assert counts() == few
