"""A new member's first visit in a real browser: register, confirm by mail, sign in, edit the profile, sign out.

axe-core reports no violation and the Nu HTML checker no error on any page visited.
"""

import re

from playwright.sync_api import expect

from tests.browser.visit import Visit
from tests.checkers import axe_violations, nu_errors
from tests.factories import make_member, make_reply, make_topic


def test_register_confirm_sign_in_edit_profile_sign_out(page, live_server, smtp):
    visit = Visit(page)
    page.goto(live_server + "/")
    visit.check("home")
    page.get_by_role("link", name="Join", exact=True).click()
    visit.check("register")

    page.get_by_label("Username").fill("amelie")
    page.get_by_label("Email address").fill("amelie@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Use at least 10 characters for your password.")).to_be_visible()
    assert page.get_by_label("Username").input_value() == "amelie"
    visit.check("register with an error")

    page.get_by_label("Password").fill("a long enough secret")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    visit.check("check your inbox")

    body = smtp.wait_for(1)[0].get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/account/verify/\S+", body).group(0)
    page.goto(link)
    visit.check("confirm your address")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("your address is confirmed")).to_be_visible()
    assert page.get_by_label("Username or email").input_value() == "amelie"
    visit.check("sign in after confirming")

    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back, amelie.")).to_be_visible()
    visit.check("home signed in")

    page.get_by_role("link", name="amelie").first.click()
    visit.check("own profile")
    page.get_by_role("link", name="Edit profile").click()
    visit.check("edit profile")
    page.get_by_label("Display name").fill("Amélie Laurent")
    page.get_by_label("About you").fill("Analyst in **Lyon**. I like [maps](https://example.com).")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("heading", name="Amélie Laurent")).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("Lyon")
    assert page.locator(".prose a").get_attribute("rel") == "nofollow ugc"
    expect(page.get_by_text("Europe/Paris")).to_be_visible()
    visit.check("profile")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    visit.check("home signed out")

    assert visit.violations == {}
    assert nu_errors(visit.pages) == []


def test_pages_fit_a_phone_and_a_desktop_without_sideways_scrolling(page, live_server, app):
    make_member("lena", display_name="Lena Fischer-Oberhausen-Lindqvist", bio="A " + "long" * 40 + " word.")
    make_member("ada", role="admin")
    topic = make_topic(title="A question with a rather long title to see how it wraps on a phone")
    make_reply(topic)
    urls = ["/", "/account/login", "/account/register", "/account/reset", "/account/verify", "/account/verify/bad",
            "/u/", "/u/lena", "/forums/", "/events/", "/advocates/", "/search?q=lena", "/nowhere"]
    visit = Visit(page)
    for width in (320, 390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        for url in urls:
            page.goto(live_server + url)
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{url} is {overflow}px wide at {width}px"
            visit.check(f"{url} at {width}px")
    page.goto(live_server + "/account/login")
    page.get_by_label("Username or email").fill("ada")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        for url in ["/manage/", "/manage/members/lena/suspend", "/account/profile", "/forums/log",
                    f"/t/{topic.id}-{topic.slug}"]:
            page.goto(live_server + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, url
            visit.check(f"admin {url} at {width}px")
    assert visit.violations == {}


def test_axe_finds_violations_when_there_are_some(page, live_server):
    page.goto(live_server + "/account/login")
    page.evaluate("document.querySelector('label[for=login]').remove()")
    assert any(v.startswith("label") for v in axe_violations(page))


def test_registration_preselects_the_browsers_time_zone(new_page, live_server):
    page = new_page(timezone_id="Asia/Tokyo")
    page.goto(live_server + "/account/register")
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"


def test_registration_works_without_javascript(new_page, live_server, smtp):
    page = new_page(java_script_enabled=False)
    page.goto(live_server + "/account/register")
    assert page.get_by_label("Time zone").input_value() == "UTC"
    page.get_by_label("Username").fill("nojs")
    page.get_by_label("Email address").fill("nojs@example.com")
    page.get_by_label("Password").fill("a long enough secret")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert smtp.wait_for(1)[0]["To"] == "nojs@example.com"
