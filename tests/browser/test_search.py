"""Finding an earlier answer in a real browser: similar questions while typing a title (and with the no-JavaScript
check), opening one, and the search page; at a phone's and a desktop's width."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from community.extensions import db
from community.forums import services
from community.forums.models import Deflection
from tests.browser.visit import Visit, sign_in
from tests.checkers import nu_errors
from tests.factories import make_category, make_member, make_reply, make_topic

SOLVED = "Webhook retries stop after 3 tries with Snowflake"
ANSWER = ("Retries back off for 24 hours in total, but only when your endpoint answers 5xx. A timeout over 10 s "
          "counts as a permanent failure — check the delivery log under **Settings → Webhooks**.")


def demo_like_forum():
    """A solved question as the demo has it, an open one on the same subject, and one on another."""
    integrations = make_category("integrations", name="Integrations")
    ana, ben = make_member("ana", display_name="Ana Lopez"), make_member("ben", display_name="Ben Ito")
    solved = make_topic(ana, integrations, SOLVED, "Our endpoint was down for an hour and Harbor stopped retrying "
                        "the Snowflake sync webhook after 3 attempts. Is the retry policy configurable?",
                        tags=("webhooks", "api"))
    answer = make_reply(solved, ben, ANSWER)
    services.accept_answer(solved, answer, ana)
    db.session.commit()
    make_topic(ben, integrations, "Webhook payload misses the account id")
    make_topic(ana, integrations, "SSO with Okta: users land on the wrong team")
    return solved


@pytest.mark.parametrize("width", [390, 1280])
def test_an_asker_sees_a_solved_question_like_theirs_while_typing_and_opens_it(new_page, live_server, indexing,
                                                                                width):
    solved = demo_like_forum()
    asker = make_member("asker", display_name="Cleo Asker")
    page = new_page(viewport={"width": width, "height": 900})
    visit = Visit(page)
    sign_in(page, live_server, "asker")

    page.goto(live_server + "/forums/ask")
    visit.check("ask")
    page.get_by_label("Title").press_sequentially("Webhook retries stopped", delay=40)
    suggestions = page.locator("#similar-questions")
    link = suggestions.get_by_role("link", name=SOLVED)
    expect(link).to_be_visible()
    expect(suggestions.locator("li").first).to_contain_text("Solved")
    expect(suggestions.locator("li").first).to_contain_text("Accepted answer: Retries back off for 24 hours")
    expect(suggestions).to_contain_text("Webhook payload misses the account id")
    expect(suggestions).not_to_contain_text("Okta")
    assert page.url == live_server + "/forums/ask"  # shown as typed, nothing sent with the form
    visit.check("ask with suggestions")
    page.get_by_label("Title").fill("Okta")  # fewer words in common: the list follows the title
    expect(link).to_have_count(0)

    page.get_by_label("Title").fill("Webhook retries stopped")
    page.get_by_label("Details").fill("Harbor gave up on our webhook after three tries last night.")
    page.get_by_role("button", name="Check for similar questions").click()  # the step that works without JavaScript
    expect(page.get_by_label("Title")).to_have_value("Webhook retries stopped")
    expect(page.get_by_label("Details")).to_have_value("Harbor gave up on our webhook after three tries last night.")
    visit.check("ask, checked for similar questions")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name="Preview").click()  # the page comes back without the list: the script looks again
    expect(page.locator(".preview")).to_contain_text("Harbor gave up on our webhook")
    page.locator("#similar-questions").get_by_role("link", name=SOLVED).click()
    expect(page.get_by_role("heading", name=SOLVED)).to_be_visible()
    visit.check("suggested question")
    db.session.commit()
    assert list(db.session.scalars(select(Deflection.topic_id).where(Deflection.user_id == asker.id))) == [solved.id]

    page.goto(live_server + "/search?q=webhook+retries")
    expect(page.get_by_role("link", name=SOLVED).first).to_be_visible()
    visit.check("search")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert visit.violations == {}
    assert nu_errors(visit.pages) == []


def test_typing_a_title_like_a_solved_demo_question_suggests_it(new_page, live_server, indexing):
    """The issue's own check, on the demo community itself."""
    from community import demo
    from community.core.db import write_intent

    with write_intent():
        demo.load()
    page = new_page(viewport={"width": 1280, "height": 900})
    visit = Visit(page)
    sign_in(page, live_server, "lena", demo.PASSWORD)
    page.goto(live_server + "/forums/ask")
    page.get_by_label("Title").press_sequentially("Webhook retries stop after three tries", delay=30)
    suggestion = page.locator("#similar-questions li").filter(has_text="Webhook retries stop after 3 tries")
    expect(suggestion.first).to_be_visible()
    expect(suggestion.first).to_contain_text("Solved")
    expect(suggestion.first).to_contain_text("Accepted answer:")
    visit.check("ask on the demo, with suggestions")
    assert visit.violations == {}
    assert nu_errors(visit.pages) == []
