"""Every payload of the XSS corpus, as an event's title, description, venue and address and as a survey comment,
is shown as text on the real pages in Chromium with the Content-Security-Policy switched off."""

from community.events import attendance, rsvps, services, surveys
from community.extensions import db
from tests.browser.test_xss import PAYLOADS
from tests.browser.visit import find_danger
from tests.factories import make_event, make_member

FIND_DANGER = find_danger("main", allowed=("FORM", "INPUT", "BUTTON"))  # (the page's own forms)


def test_no_payload_executes_on_the_event_and_results_pages(page_without_csp, live_server, app, login):
    host = make_member("host", role="manager")
    guest = make_member("guest")
    event = make_event(host, capacity=10)
    row = rsvps.rsvp(event, guest)
    attendance.check_in(row, host)
    db.session.commit()
    page = page_without_csp
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/account/login")
    page.get_by_label("Username or email").fill("host")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/**")
    for number, payload in enumerate(PAYLOADS, start=1):
        details = services.details_of(event)
        details.title, details.description, details.venue, details.address = payload[:200], payload, payload[:200], \
            payload
        services.update_event(event, host, details)
        db.session.query(surveys.SurveyAnswer).delete()
        surveys.answer(event, guest, 7, payload)
        db.session.commit()
        for path in (f"/events/{event.id}-{event.slug}", f"/events/{event.id}/results"):
            page.goto(live_server + path)
            page.mouse.move(200, 300)
            page.wait_for_timeout(20)
            assert page.evaluate(FIND_DANGER) == [], f"payload {number} on {path}: {payload}"
        page.goto(f"{live_server}/events/{event.id}-{event.slug}")
        assert page.locator("h1").inner_text() == " ".join(payload[:200].split())  # shown as text
    assert dialogs == []
    assert errors == []
    event.description_html = '<p><img src="x" onerror="alert(1)"></p>'  # what an unsanitized write would store
    db.session.commit()
    page.goto(f"{live_server}/events/{event.id}-{event.slug}")
    page.wait_for_timeout(200)
    assert page.evaluate(FIND_DANGER) != [] and dialogs == ["1"]  # the check would catch it
