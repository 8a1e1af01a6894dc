"""The events pages as people use them: the list, a chapter, an event, RSVPs, the organiser's forms and pages."""

import html as htmlmod
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.core.timeutil import utcnow
from community.events import rsvps
from community.events.models import RSVP, ChapterMember, Event, EventLog
from community.extensions import db
from tests.factories import make_chapter, make_event, make_member

ONLINE = "https://meet.example.com/harbor-secret-room"


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def text(response):
    return htmlmod.unescape(response.get_data(as_text=True))


def event_url(event):
    return f"/events/{event.id}-{event.slug}"


def test_the_events_list_shows_upcoming_events_with_seats_left_and_hides_drafts(client):
    organiser = make_member("maria", role="manager")
    soon = make_event(organiser, title="Berlin customer meetup", capacity=40)
    make_event(organiser, title="Secret planning draft", publish=False)
    html = page(client, "/events/")
    assert "Berlin customer meetup" in html and "40 of 40 seats left" in html
    assert "Secret planning draft" not in html
    assert client.get(f"/events/{soon.id}").status_code == 301


def test_drafts_and_members_only_events_are_hidden_from_those_who_may_not_see_them(client, login):
    organiser = make_member("maria", role="manager")
    draft = make_event(organiser, title="Draft for the team", publish=False)
    members_only = make_event(organiser, title="Members only evening", visibility="members")
    page(client, event_url(draft), 404)
    page(client, event_url(members_only), 404)
    assert "Members only evening" not in page(client, "/events/")
    make_member("lena")
    login("lena")
    page(client, event_url(draft), 404)
    assert "Members only evening" in page(client, event_url(members_only))
    login("maria")
    assert "Draft: only organisers see it" in page(client, event_url(draft))


def test_the_online_link_and_address_show_only_to_members_who_are_going(client, login):
    event = make_event(capacity=1, kind="hybrid", online_url=ONLINE)
    make_member("going")
    make_member("waiting")
    for name in ("going", "waiting"):
        login(name)
        client.submit(f"/events/{event.id}/rsvp", page=event_url(event))
    html = page(client, event_url(event))  # signed in as "waiting"
    assert "You are #1 on the waitlist" in html
    assert ONLINE not in html and "Schönhauser Allee" not in html
    login("going")
    html = page(client, event_url(event))
    assert ONLINE in html and "Schönhauser Allee 36" in html
    client.submit("/account/logout", page="/")
    assert ONLINE not in page(client, event_url(event))


def test_rsvp_through_the_page_says_what_happened_and_keeps_one_row(client, login, smtp):
    event = make_event(capacity=1, max_guests=2)
    make_member("ana")
    login("ana")
    response = client.submit(f"/events/{event.id}/rsvp", {"guests": "0", "show_in_list": "y"}, page=event_url(event),
                             follow_redirects=True)
    assert "You're going. The confirmation and calendar entry are on their way" in text(response)
    again = client.submit(f"/events/{event.id}/rsvp", {"guests": "0"}, page=event_url(event))
    assert again.status_code == 409 and "You're already going" in text(again)
    assert db.session.scalar(select(db.func.count()).select_from(RSVP)) == 1
    confirmation = smtp.wait_for(1, timeout=15)[0]
    assert confirmation["Subject"] == f"You're going: {event.title}"
    assert "noreply" not in confirmation["From"].lower() and confirmation["Reply-To"]


def test_too_many_guests_is_a_400_that_keeps_the_form(client, login):
    event = make_event(capacity=10, max_guests=2)
    make_member("ana")
    login("ana")
    response = client.submit(f"/events/{event.id}/rsvp", {"guests": "5"}, page=event_url(event))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "From 0 to 20." in html or "Bring up to 2 guests." in html
    assert 'value="5"' in html


def test_cancelling_through_the_page_promotes_the_next_person(client, login, smtp):
    event = make_event(capacity=1)
    for name in ("first", "second"):
        make_member(name)
        login(name)
        client.submit(f"/events/{event.id}/rsvp", page=event_url(event))
    login("first")
    response = client.submit(f"/events/{event.id}/cancel-rsvp", page=event_url(event), follow_redirects=True)
    assert "Your place is cancelled" in response.get_data(as_text=True)
    assert {row.user.username: row.state for row in db.session.scalars(select(RSVP))} == {
        "first": "cancelled", "second": "going"}
    assert any(m["Subject"].startswith("A seat opened up") for m in smtp.wait_for(4, timeout=15))


def test_signed_out_visitors_are_sent_to_sign_in_to_rsvp(client):
    event = make_event()
    assert "Sign in to RSVP" in page(client, event_url(event))
    response = client.post(f"/events/{event.id}/rsvp", data={})
    assert response.status_code in (302, 400)  # no CSRF token without a page: refused either way


def test_members_may_not_plan_events_or_open_the_people_page(client, login):
    event = make_event()
    make_member("lena")
    login("lena")
    assert client.get("/events/new").status_code == 403
    assert client.get(f"/events/{event.id}/people").status_code == 403
    assert client.get(f"/events/{event.id}/edit").status_code == 403


def _form(**changes):
    start = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT19:00")
    end = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT21:00")
    data = {"title": "Spring customer meetup", "description": "Talks and *pizza*.", "chapter": "", "kind": "in_person",
            "time_zone": "Europe/Berlin", "local_start": start, "local_end": end, "venue": "Kulturbrauerei",
            "address": "Schönhauser Allee 36", "online_url": "", "capacity": "60", "max_guests": "1",
            "visibility": "public", "join_policy": "open", "waitlist_mode": "auto", "claim_hours": "12",
            "offer_cutoff_hours": "48", "final_cutoff_hours": "2", "cohosts": "", "helpers": "", "publish": "y"}
    data.update(changes)
    return data


def test_a_manager_plans_an_event_with_a_cohost_and_it_is_published(client, login):
    make_member("maria", role="manager")
    make_member("priya")
    login("maria")
    response = client.submit("/events/new", _form(cohosts="priya"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The event is published." in html and "Spring customer meetup" in html
    event = db.session.scalar(select(Event))
    assert event.status == "published" and event.capacity == 60
    assert [(host.user.username, host.role) for host in event.hosts] == [("maria", "host"), ("priya", "cohost")]
    assert event.description_html == "<p>Talks and <em>pizza</em>.</p>"
    assert "(co-host)" in html


def test_a_start_the_clocks_skip_is_refused_with_a_message_and_the_form_keeps_its_input(client, login):
    make_member("maria", role="manager")
    login("maria")
    response = client.submit("/events/new", _form(local_start="2027-03-28T02:30", local_end="2027-03-28T04:00"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "does not exist in Europe/Berlin: the clocks go forward over it" in html
    assert 'value="Spring customer meetup"' in html and "2027-03-28T02:30" in html
    assert db.session.scalar(select(Event)) is None


def test_an_ambiguous_local_time_is_refused_too(client, login):
    make_member("maria", role="manager")
    login("maria")
    response = client.submit("/events/new", _form(local_start="2027-10-31T02:30", local_end="2027-10-31T04:00"))
    assert response.status_code == 400
    assert "happens twice in Europe/Berlin" in response.get_data(as_text=True)


def test_moving_an_event_tells_everyone_with_a_place_and_raises_the_sequence(client, login, smtp):
    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=5)
    rsvps.rsvp(event, make_member("ana"))
    db.session.commit()
    smtp.wait_for(1, timeout=15)
    smtp.messages.clear()
    login("maria")
    later = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%d")
    response = client.submit(f"/events/{event.id}/edit", _form(
        title=event.title, local_start=f"{later}T18:00", local_end=f"{later}T20:00", publish=""),
        follow_redirects=True)
    assert "Everyone with a place was told" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.sequence == 1
    mail = smtp.wait_for(1, timeout=15)[0]
    assert mail["Subject"] == f"Changed: {event.title}" and "the time" in mail.get_body(("plain",)).get_content()


def test_cancelling_an_event_needs_a_reason_and_tells_everyone(client, login, smtp):
    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=1)
    for name in ("ana", "ben"):
        rsvps.rsvp(event, make_member(name))
        db.session.commit()
    smtp.wait_for(2, timeout=15)
    smtp.messages.clear()
    login("maria")
    refused = client.submit(f"/events/{event.id}/cancel", {"reason": ""})
    assert refused.status_code == 400 and "Say in a sentence why" in refused.get_data(as_text=True)
    client.submit(f"/events/{event.id}/cancel", {"reason": "The venue flooded overnight."})
    assert sorted(m["To"] for m in smtp.wait_for(2, timeout=15)) == ["ana@example.com", "ben@example.com"]
    assert "This event is cancelled" in page(client, event_url(event))


def test_the_people_page_lists_the_queue_and_an_override_is_logged(client, login):
    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=1)
    for name in ("holder", "first", "second"):
        rsvps.rsvp(event, make_member(name))
        db.session.commit()
    login("maria")
    html = page(client, f"/events/{event.id}/people")
    assert re.search(r"first</a>.*#1.*second</a>.*#2", html, re.S)
    second = db.session.scalar(select(RSVP).join(RSVP.user).where(RSVP.user.has(username="second")))
    refused = client.submit(f"/events/{event.id}/people/{second.id}/promote", {"reason": "Speaker"},
                            page=f"/events/{event.id}/people")
    assert refused.status_code == 409 and "Confirm adding them over capacity" in refused.get_data(as_text=True)
    done = client.submit(f"/events/{event.id}/people/{second.id}/promote",
                         {"reason": "Speaker", "over_capacity": "y"}, page=f"/events/{event.id}/people",
                         follow_redirects=True)
    assert "second is now going" in done.get_data(as_text=True)
    entry = db.session.scalar(select(EventLog).where(EventLog.action == "promoted"))
    assert entry.actor_id == organiser.id and entry.reason == "Speaker"


def test_joining_a_chapter_and_leaving_with_the_mail_link(client, login, smtp):
    organiser = make_member("maria", role="manager")
    chapter = make_chapter("Berlin", organisers=[organiser])
    make_member("ana")
    login("ana")
    response = client.submit(f"/events/c/{chapter.slug}/join", page=f"/events/c/{chapter.slug}",
                             follow_redirects=True)
    assert "You joined Berlin" in response.get_data(as_text=True)
    make_event(organiser, chapter=chapter, title="Berlin winter meetup")
    mail = smtp.wait_for(1, timeout=15)[0]
    assert mail["Subject"] == "New in Berlin: Berlin winter meetup"
    leave = re.search(r"<(http://localhost(/events/chapters/leave/[^>]+))>", mail["List-Unsubscribe"]).group(2)
    assert client.post(leave).status_code == 200  # one click, no form (RFC 8058)
    assert db.session.scalar(select(ChapterMember)) is None


@pytest.mark.parametrize("where", ["list", "chapter", "event"])
def test_events_pages_issue_the_same_queries_for_5_or_50_rows(client, login, count_queries, where):
    organiser = make_member("maria", role="manager")
    chapter = make_chapter("Berlin", organisers=[organiser])
    viewer = make_member("viewer")
    main = make_event(organiser, chapter=chapter, capacity=None, title="The big one")
    rsvps.rsvp(main, viewer)
    db.session.commit()
    login("viewer")

    def grow(n):
        for number in range(n):
            if where == "event":
                row = rsvps.rsvp(main, make_member(mail="none"))
                row.show_in_list = True
            else:
                make_event(organiser, chapter=chapter, cohosts=[make_member(mail="none")], days=5 + number)
        db.session.commit()

    url = {"list": "/events/", "chapter": f"/events/c/{chapter.slug}", "event": event_url(main)}[where]

    def count():
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    grow(4)
    few = count()
    grow(45)
    assert count() == few
    assert few <= 12
