"""A question answered, accepted and thanked, in a real browser, at a phone's and a desktop's width."""

import pytest
from playwright.sync_api import expect

from tests.browser.visit import Visit, sign_in
from tests.checkers import nu_errors
from tests.factories import make_category, make_member

ANSWER = ("Raise the timeout in the advanced settings:\n\n```\ntimeout: 120\nretries: 5\n```\n\n"
          "See [the connector guide](https://docs.example/connectors) for the rest.")


@pytest.mark.parametrize("width", [390, 1280])
def test_ask_answer_accept_thank(new_page, live_server, app, smtp, width):
    make_category("getting-started", name="Getting started")
    for name, display in (("asker", "Ana Asker"), ("helper", "Ben Helper"), ("fan", "Cleo Fan")):
        make_member(name, display_name=display)
    pages = {name: new_page(viewport={"width": width, "height": 900}) for name in ("asker", "helper", "fan")}
    visits = {name: Visit(page) for name, page in pages.items()}

    a, visit = pages["asker"], visits["asker"]
    sign_in(a, live_server, "asker")
    a.goto(live_server + "/forums/")
    visit.check("forums")
    a.get_by_role("link", name="Ask a question").click()
    visit.check("ask")
    a.get_by_label("Title").fill("Warehouse sync times out after a minute")
    a.get_by_label("Details").fill("The **sync wizard** stops with `error: timeout` after 60 seconds.")
    a.get_by_label("Tags").fill("sync, warehouse")
    a.get_by_role("button", name="Preview").click()
    expect(a.locator(".preview strong")).to_have_text("sync wizard")
    visit.check("ask preview")
    a.get_by_role("button", name="Post my topic").click()
    expect(a.get_by_role("heading", name="Warehouse sync times out after a minute")).to_be_visible()
    visit.check("new topic")
    topic_url = a.url

    b = pages["helper"]
    sign_in(b, live_server, "helper")
    b.goto(topic_url)
    b.get_by_label("Your reply").fill(ANSWER)
    b.get_by_role("button", name="Post reply").click()
    expect(b.get_by_text("Your reply is posted.")).to_be_visible()
    expect(b.locator("#post-2 pre code")).to_contain_text("timeout: 120")
    expect(b.locator("#post-2 a[rel='nofollow ugc']")).to_have_text("the connector guide")
    visits["helper"].check("topic with reply")

    a.goto(topic_url)
    a.get_by_role("button", name="✓ This solved it").click()
    expect(a.get_by_text("Marked as the answer.")).to_be_visible()
    solution = a.locator(".solution")
    expect(solution).to_contain_text("Solved by Ben Helper")
    expect(solution.locator("pre code")).to_contain_text("retries: 5")
    visit.check("solved topic")

    c = pages["fan"]
    sign_in(c, live_server, "fan")
    c.goto(topic_url)
    c.locator("#post-2").get_by_role("button", name="♡ Thank").click()
    expect(c.locator("#post-2").get_by_role("button", name="♥ Thanked · 1")).to_be_visible()
    visits["fan"].check("thanked")
    c.goto(live_server + "/forums/?filter=solved")
    expect(c.get_by_role("link", name="Warehouse sync times out after a minute")).to_be_visible()
    visits["fan"].check("solved list")

    # Ana hears of Ben's answer, Ben of the accepted answer and the thanks: on the bell and, at once, by mail.
    a.goto(live_server + "/")
    a.get_by_role("link", name="Notifications 1 unread").click()
    expect(a.get_by_role("button", name="Unread: Ben Helper replied to your topic")).to_be_visible()
    visit.check("asker's notifications")
    a.get_by_role("button", name="Unread: Ben Helper replied to your topic").click()
    expect(a.locator("#post-2")).to_be_visible()
    expect(a.locator(".bell-count")).to_have_count(0)
    b.goto(live_server + "/")
    b.get_by_role("link", name="Notifications 2 unread").click()
    expect(b.get_by_text("Ana Asker marked your reply as the answer to “Warehouse sync times out")).to_be_visible()
    expect(b.get_by_text("Cleo Fan thanked your post in “Warehouse sync times out")).to_be_visible()
    visits["helper"].check("helper's notifications")
    b.get_by_role("button", name="Mark all as read").click()
    expect(b.get_by_text("Marked 2 notifications as read.")).to_be_visible()
    mails = {(m["To"], m["Subject"]) for m in smtp.wait_for(3, timeout=15)}
    assert mails == {("asker@example.com",
                      "Ben Helper replied to your topic “Warehouse sync times out after a minute”"),
                     ("helper@example.com", "Ana Asker marked your reply as the answer to “Warehouse sync times out "
                                            "after a minute”"),
                     ("helper@example.com", "Congratulations: you earned the First accepted answer badge")}

    for name, page in pages.items():
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    found = {k: v for visit in visits.values() for k, v in visit.violations.items()}
    assert found == {}
    assert nu_errors({f"{who} {k}": v for who, visit in visits.items() for k, v in visit.pages.items()}) == []
