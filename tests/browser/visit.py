"""Checks every page a browser test lands on."""

from playwright.sync_api import expect

from tests.checkers import axe_violations
from tests.factories import PASSWORD


class Visit:
    """Runs axe-core on each page the browser lands on, and keeps the HTML the server sent for the Nu checker."""

    def __init__(self, page):
        self.page, self.pages, self.violations, self.document = page, {}, {}, None
        page.on("response", self._remember)

    def _remember(self, response):
        if response.request.resource_type == "document" and response.frame == self.page.main_frame:
            self.document = response

    def check(self, name):
        self.page.wait_for_load_state("load")
        assert self.document is not None and self.document.url == self.page.url.split("#")[0], name
        self.pages[name] = self.document.text()
        found = axe_violations(self.page)
        if found:
            self.violations[name] = found


def sign_in(page, base, username, password=PASSWORD):
    """Sign in through the real form and wait for the greeting."""
    page.goto(base + "/account/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()
