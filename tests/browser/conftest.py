"""Browser fixtures: the app served on a free loopback port, Debian's Chromium driven by Playwright."""

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Browser tests SKIPPED: no Chromium at {CHROMIUM} (make test installs Debian's chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " With CI=true they are mandatory.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url  # links in mail lead back to this server
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, request):
    """new_page(**context_options) opens a page in a fresh browser context; failures leave a screenshot."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed and context.pages:
            ARTIFACTS.mkdir(exist_ok=True)
            context.pages[-1].screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def page_without_csp(new_page):
    """A page where the Content-Security-Policy is ignored, so the sanitizer is tested on its own."""
    return new_page(bypass_csp=True)
