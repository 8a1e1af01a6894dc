"""Checks every page a browser test lands on."""

import json

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


DANGEROUS = ("SCRIPT", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "STYLE", "LINK", "META", "BASE", "FORM", "INPUT",
             "BUTTON", "DETAILS", "VIDEO", "AUDIO", "BODY", "MARQUEE", "IMG")


def find_danger(scope: str, allowed: tuple[str, ...] = ()) -> str:
    """JavaScript for page.evaluate: what inside `scope` could run script (dangerous elements other than
    `allowed`, on* handlers, javascript:/data:/vbscript: URLs), and any inline script in the page."""
    tags = [tag for tag in DANGEROUS if tag not in allowed]
    return """() => {
  const found = [];
  const scope = document.querySelector(SCOPE);
  if (!scope) return ['nothing rendered in ' + SCOPE];
  for (const el of scope.querySelectorAll('*')) {
    if (TAGS.includes(el.tagName.toUpperCase())) found.push('element ' + el.tagName);
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push('handler ' + attr.name);
      if (/^\\s*(javascript|data|vbscript):/i.test(attr.value)) found.push('url ' + attr.name + '=' + attr.value);
    }
  }
  for (const el of document.querySelectorAll('script')) if (!el.src) found.push('inline script in page');
  return found;
}""".replace("SCOPE", json.dumps(scope)).replace("TAGS", json.dumps(tags))


def sweep(page, visit, base, urls, widths=(390, 1280), who=""):
    """Open each url at each width: nothing may scroll sideways, and each page goes through `visit.check`."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": 844})
        for url in urls:
            page.goto(base + url)
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{who} {url} is {overflow}px wide at {width}px"
            visit.check(f"{who} {url} at {width}px".strip())
