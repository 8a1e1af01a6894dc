"""The health dashboard in Chromium at a phone's and a desktop's width: every chart is drawn (an SVG with its bars),
axe-core finds nothing, the Nu checker finds no error, nothing scrolls sideways; screenshots are saved."""

from community.events import attendance, rsvps, surveys
from community.extensions import db
from community.forums import services as forums
from tests.browser.conftest import ARTIFACTS
from tests.browser.visit import Visit, sign_in, sweep
from tests.checkers import nu_errors
from tests.events.test_attendance import past
from tests.factories import make_event, make_member, make_reply, make_topic


def test_the_dashboard_draws_its_charts_at_390_and_1280(new_page, live_server, app):
    manager = make_member("maria", role="manager")
    askers = [make_member(f"asker{n}") for n in range(3)]
    helper = make_member("helper")
    for asker in askers:
        topic = make_topic(asker)
        forums.accept_answer(topic, make_reply(topic, helper), asker)
    make_topic(askers[0], title="Nobody has answered this one about exports yet")
    event = make_event(manager, capacity=10, days=2)
    places = [rsvps.rsvp(event, person) for person in (helper, *askers)]
    past(event)
    for place in places:
        attendance.check_in(place, manager)
    db.session.commit()
    surveys.answer(event, helper, 9, "Great talk")
    surveys.answer(event, askers[0], 7)
    db.session.commit()
    page = new_page()
    visit = Visit(page)
    sign_in(page, live_server, "maria")
    sweep(page, visit, live_server, ["/manage/health", "/manage/health?period=week", "/manage/health?period=quarter",
                                     "/manage/"])
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(live_server + "/manage/health")
        assert page.locator("svg.chart").count() >= 20
        assert page.locator("svg.chart rect.chart-bar-now").count() >= 10  # this period's bars are drawn
        page.screenshot(path=str(ARTIFACTS / f"health-{width}.png"), full_page=True)
    html = visit.pages["/manage/health at 1280px"]
    assert "Nobody has answered this one about exports yet" in html
    assert "Passives" in html and "± " in html  # never an NPS without its passives and margin
    assert visit.violations == {}
    assert nu_errors(visit.pages) == []
