"""Every payload of the XSS corpus goes through core/text.py and is shown on a real profile page in Chromium.

The page is opened with the Content-Security-Policy switched off, so the sanitizer alone must stop each one.
"""

from pathlib import Path

from community.accounts import services
from community.extensions import db
from tests.browser.visit import find_danger
from tests.factories import make_member

PAYLOADS = [line for line in (Path(__file__).parents[1] / "data" / "xss-payloads.txt").read_text().splitlines()
            if line.strip()]

FIND_DANGER = find_danger(".prose")


def test_no_payload_executes_in_chromium(page_without_csp, live_server, app):
    author = make_member("writer")
    dialogs, errors = [], []
    page = page_without_csp
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for number, payload in enumerate(PAYLOADS, start=1):
        services.update_profile(author, display_name=payload[:80], bio=payload, time_zone="UTC")
        db.session.commit()
        page.goto(f"{live_server}/u/writer")
        page.mouse.move(200, 300)
        page.keyboard.press("Tab")
        page.wait_for_timeout(50)
        assert page.evaluate(FIND_DANGER) == [], f"payload {number}: {payload}"
        assert page.locator("h1").inner_text() == payload[:80].strip()  # shown as text, not markup
    assert dialogs == []
    assert errors == []
    assert len(PAYLOADS) == 35


def test_the_check_would_catch_a_script_that_got_through(page_without_csp, live_server, app):
    author = make_member("writer")
    author.bio_html = '<p><img src="x" onerror="alert(1)"></p>'  # what an unsanitized write would store
    db.session.commit()
    dialogs = []
    page_without_csp.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page_without_csp.goto(f"{live_server}/u/writer")
    page_without_csp.wait_for_timeout(200)
    assert page_without_csp.evaluate(FIND_DANGER) != []
    assert dialogs == ["1"]
