"""Events in the search index: published ones are found by their words, right after the request; drafts,
cancelled events and members-only events (for visitors) are not; `kind:events` finds only events."""

from community.core import search
from community.events import services
from community.extensions import db
from tests.factories import make_chapter, make_event, make_member
from tests.forums.test_search_documents import found, in_step


def test_a_published_event_is_found_by_its_words_and_its_chapter(indexing):
    organiser = make_member("maria", role="manager")
    chapter = make_chapter("Lisbon", city="Lisbon", organisers=[organiser])
    event = make_event(organiser, title="Forecasting night", chapter=chapter,
                       description="Demand forecasting with seasonal quirks.", venue="Fábrica Braço de Prata")
    assert found("forecasting") == [f"event:{event.id}"]
    assert found("lisbon") == [f"event:{event.id}"]
    assert found("braço") == [f"event:{event.id}"]
    assert in_step()


def test_drafts_and_cancelled_events_are_not_found(indexing):
    organiser = make_member("maria", role="manager")
    draft = make_event(organiser, title="Secret roadmap evening", publish=False)
    assert found("roadmap") == []
    services.publish_event(draft, organiser)
    db.session.commit()
    assert found("roadmap") == [f"event:{draft.id}"]
    services.cancel_event(draft, organiser, "Moved online")
    db.session.commit()
    assert found("roadmap") == []
    assert in_step()


def test_members_only_events_are_found_by_members_only(indexing, client, login):
    make_event(title="Members lounge evening", visibility="members")
    assert found("lounge", visible=(search.PUBLIC,)) == []
    assert len(found("lounge", visible=search.visible_to(make_member("lena")))) == 1
    anonymous = client.get("/search?q=lounge").get_data(as_text=True)
    assert "Members lounge evening" not in anonymous
    login("lena")
    assert "Members lounge evening" in client.get("/search?q=lounge").get_data(as_text=True)


def test_kind_events_finds_only_events_on_the_search_page(indexing, client):
    from tests.factories import make_topic

    event = make_event(title="Webhooks meetup in Porto")
    make_topic(title="My webhooks stopped arriving in Porto")
    html = client.get("/search?q=webhooks+kind:events").get_data(as_text=True)
    assert f"/events/{event.id}-{event.slug}" in html and "stopped arriving" not in html
    assert "Event" in html
