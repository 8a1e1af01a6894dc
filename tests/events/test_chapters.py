"""Chapters: managers create and edit them and name organisers; an organiser plans events for their chapter."""

from sqlalchemy import select

from community.events.models import Chapter, Event
from community.extensions import db
from tests.events.test_views import _form
from tests.factories import make_chapter, make_member


def test_a_manager_starts_a_chapter_with_organisers(client, login):
    make_member("maria", role="manager")
    make_member("pablo")
    login("maria")
    response = client.submit("/events/chapters/new", {
        "name": "Porto", "city": "Porto", "topic": "", "time_zone": "Europe/Lisbon",
        "description": "Customers in **Porto**.", "organisers": "pablo, @maria"}, follow_redirects=True)
    assert "Porto is saved." in response.get_data(as_text=True)
    chapter = db.session.scalar(select(Chapter))
    assert chapter.slug == "porto" and chapter.description_html == "<p>Customers in <strong>Porto</strong>.</p>"
    assert sorted(person.username for person in chapter.organisers) == ["maria", "pablo"]
    again = client.submit("/events/chapters/new", {"name": "Porto", "time_zone": "Europe/Lisbon"})
    assert again.status_code == 400 and "Another chapter has this name" in again.get_data(as_text=True)
    unknown = client.submit(f"/events/c/{chapter.slug}/edit", {"name": "Porto", "time_zone": "Europe/Lisbon",
                                                               "organisers": "ghost"})
    assert unknown.status_code == 400 and "No member is called @ghost" in unknown.get_data(as_text=True)


def test_members_may_not_start_or_edit_chapters(client, login):
    chapter = make_chapter("Berlin")
    make_member("lena")
    login("lena")
    assert client.get("/events/chapters/new").status_code == 403
    assert client.get(f"/events/c/{chapter.slug}/edit").status_code == 403


def test_a_chapter_organiser_plans_events_for_their_chapter_only(client, login):
    pablo = make_member("pablo")
    make_chapter("Madrid", city="Madrid", organisers=[pablo], time_zone="Europe/Madrid")
    other = make_chapter("Berlin")
    login("pablo")
    page = client.get("/events/new").get_data(as_text=True)
    assert ">Madrid</option>" in page and ">Berlin</option>" not in page and ">No chapter</option>" not in page
    made = client.submit("/events/new", _form(chapter="madrid"), follow_redirects=True)
    assert "The event is published." in made.get_data(as_text=True)
    assert db.session.scalar(select(Event)).chapter.slug == "madrid"
    refused = client.submit("/events/new", _form(chapter=other.slug))
    assert refused.status_code == 403
    make_member("lena")
    login("lena")
    assert client.get("/events/new").status_code == 403
