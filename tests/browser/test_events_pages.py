"""Every events page at a phone's and a desktop's width, as an organiser and as an attendee: axe-core finds
nothing and nothing scrolls sideways."""

from datetime import timedelta

from community.events import attendance, organising, planning, rsvps, surveys
from community.extensions import db
from tests.browser.visit import Visit, sign_in, sweep
from tests.factories import make_chapter, make_event, make_member


def test_every_events_page_passes_axe_and_fits_at_390_and_1280(new_page, live_server, app):
    maria = make_member("maria", display_name="María Torres-Villanueva", role="manager")
    chapter = make_chapter("Berlin", organisers=[maria])
    event = make_event(maria, chapter=chapter, capacity=2, max_guests=1, kind="hybrid",
                       online_url="https://meet.example.com/a-rather-long-room-name-for-the-meetup",
                       title="Forecasting demand for forty warehouses with seasonal quirks")
    past = make_event(maria, chapter=chapter, title="Winter meetup with a survey", capacity=10)
    ana, ben, cem = (make_member(name, display_name=f"{name.title()} Longname-Doublebarrel") for name in
                     ("ana", "ben", "cem"))
    for member in (ana, ben, cem):
        rsvps.rsvp(event, member)
    organising.set_priority(rsvps.mine(event, cem), maria, 2, "First-timer")
    planning.apply(event, "party")
    row = rsvps.rsvp(past, ana)
    attendance.check_in(row, maria)
    past.starts_at, past.ends_at = past.starts_at - timedelta(days=30), past.ends_at - timedelta(days=30)
    db.session.commit()
    surveys.answer(past, ana, 9, "Loved the **customer** talks.")
    db.session.commit()
    pages = {
        "maria": ["/events/", f"/events/c/{chapter.slug}", f"/events/{event.id}-{event.slug}",
                  f"/events/{event.id}/people", f"/events/{event.id}/plan", f"/events/{event.id}/edit",
                  "/events/new?template=party", f"/events/{event.id}/cancel", f"/events/{event.id}/check-in",
                  f"/events/{past.id}/results", f"/events/results?chapter={chapter.slug}", "/events/chapters/new",
                  f"/events/c/{chapter.slug}/edit"],
        "ana": [f"/events/{event.id}-{event.slug}", f"/events/{event.id}/ticket", "/events/mine",
                f"/events/{past.id}-{past.slug}", f"/events/{past.id}/survey"],
        "ben": [f"/events/{event.id}-{event.slug}"],  # waitlisted
    }
    for who, urls in pages.items():
        page = new_page()
        visit = Visit(page)
        sign_in(page, live_server, who)
        sweep(page, visit, live_server, urls, who=who)
        assert visit.violations == {}, who
