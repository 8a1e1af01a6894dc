"""A meetup from plan to survey in a real browser: a manager plans it from the "Customer meetup" template with an
advocate as co-host; two members RSVP for the last seat and one is waitlisted; the other cancels and the waitlisted
member is promoted; the co-host checks people in on a phone; an attendee answers the survey; the results show NPS
with the passives and n. axe-core and the Nu checker on every page."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from community.core.db import write_intent
from community.core.timeutil import utcnow
from community.events.models import RSVP, Event, Task
from community.extensions import db
from tests.browser.visit import Visit, sign_in
from tests.checkers import nu_errors
from tests.factories import make_member

TITLE = "Berlin customer meetup: forecasting"


@pytest.mark.parametrize("width", [390, 1280])
def test_plan_rsvp_waitlist_promote_check_in_and_survey(new_page, live_server, app, smtp, width):
    make_member("maria", display_name="María Torres", role="manager")
    for name, display in (("priya", "Priya Raman"), ("ana", "Ana Early"), ("ben", "Ben Waiting"),
                          ("cleo", "Cleo First")):
        make_member(name, display_name=display)
    size = {"width": width, "height": 900}
    pages = {name: new_page(viewport=size) for name in ("maria", "ana", "ben", "cleo")}
    pages["priya"] = new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    visits = {name: Visit(page) for name, page in pages.items()}

    m, visit = pages["maria"], visits["maria"]
    sign_in(m, live_server, "maria")
    m.goto(live_server + "/events/")
    visit.check("events")
    m.get_by_role("link", name="Plan an event").click()
    m.get_by_role("link", name="Customer meetup").click()
    expect(m.get_by_label("Planning checklist")).to_have_value("meetup")
    visit.check("plan from template")
    m.get_by_label("Title").fill(TITLE)
    m.get_by_label("Venue").fill("Betahaus, Berlin")
    m.get_by_label("Exact address").fill("Rudi-Dutschke-Straße 23, 10969 Berlin")
    m.get_by_label("Capacity").fill("2")
    m.get_by_label("Co-hosts").fill("priya")
    m.get_by_label("Publish now").check()
    m.get_by_role("button", name="Create the event").click()
    expect(m.get_by_text("The event is published.")).to_be_visible()
    expect(m.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(m.get_by_text("Priya Raman (co-host)")).to_be_visible()
    visit.check("published event")
    event_url = m.url
    event = db.session.scalar(select(Event))
    assert db.session.scalar(select(db.func.count(Task.id))) == 9  # the checklist's tasks

    def rsvp(name, button, said):
        page = pages[name]
        sign_in(page, live_server, name)
        page.goto(event_url)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_text(said)).to_be_visible()
        visits[name].check(f"{name} after RSVP")

    rsvp("cleo", "RSVP: I'm going", "You're going.")
    rsvp("ana", "RSVP: I'm going", "You're going.")  # the last seat
    rsvp("ben", "Join the waitlist", "you're #1 on the waitlist")
    expect(pages["ana"].get_by_text("Rudi-Dutschke-Straße 23")).to_be_visible()
    expect(pages["ben"].get_by_text("Rudi-Dutschke")).to_have_count(0)  # the address is for those going

    a = pages["ana"]
    a.get_by_role("button", name="I can’t come: cancel my place").click()
    expect(a.get_by_text("Your place is cancelled")).to_be_visible()
    visits["ana"].check("ana cancelled")
    b = pages["ben"]
    b.reload()
    expect(b.get_by_text("You’re going")).to_be_visible()
    visits["ben"].check("ben promoted")
    assert any(m["To"] == "ben@example.com" and m["Subject"].startswith("A seat opened up")
               for m in smtp.wait_for(6))

    p = pages["priya"]  # the co-host, at the door, on a phone
    sign_in(p, live_server, "priya")
    p.goto(event_url)
    p.get_by_role("link", name="Check-in").click()
    visits["priya"].check("check-in")
    for person in ("Ben Waiting", "Cleo First"):
        p.get_by_label("Name or username").fill(person.split()[0])
        p.get_by_role("button", name="Find").click()
        p.get_by_role("button", name=f"Check in {person}").click()
        expect(p.get_by_text(f"{person} is checked in.")).to_be_visible()
    expect(p.locator("[data-checked-in]")).to_have_text("2")
    visits["priya"].check("checked in")
    assert p.evaluate("document.documentElement.scrollWidth") <= 390

    db.session.commit()
    with write_intent():  # it took place
        db.session.execute(update(Event).where(Event.id == event.id).values(
            starts_at=utcnow() - timedelta(hours=4), ends_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    for name, score in (("ben", "8"), ("cleo", "10")):
        page = pages[name]
        page.goto(event_url)
        page.get_by_role("link", name="How was it? Answer the survey").click()
        visits[name].check(f"{name} survey")
        page.get_by_label(score, exact=True).check()
        page.get_by_label("Anything the hosts should know? (optional)").fill(f"I'd say {score}.")
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("Thank you: the hosts read every answer.")).to_be_visible()
    visits["cleo"].check("survey answered")

    m.goto(event_url)
    m.get_by_role("link", name="Survey and attendance").click()
    expect(m.get_by_text("n = 2 answers")).to_be_visible()
    expect(m.locator(".card", has_text="Passives (7–8)")).to_contain_text("1")
    expect(m.locator(".card", has_text="Promoters (9–10)")).to_contain_text("1")
    expect(m.get_by_text("NPS 50")).to_be_visible()
    visit.check("results")
    assert db.session.scalar(select(db.func.count(RSVP.id)).where(RSVP.state == "checked_in")) == 2

    for name, page in pages.items():
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    found = {f"{who} {k}": v for who, visit in visits.items() for k, v in visit.violations.items()}
    assert found == {}
    assert nu_errors({f"{who} {k}": v for who, visit in visits.items() for k, v in visit.pages.items()}) == []
