"""Screenshots of the real pages for the README: `make screenshots`.

Builds a throwaway demo community in a temp folder, serves it on a free loopback port, and photographs pages in
Debian's Chromium at 1280 px and 390 px into docs/screenshots/.
"""

import logging
import shutil
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from community import create_app, demo
from community.core.db import write_intent
from community.extensions import db
from community.forums.models import Post, Topic

OUT = Path(__file__).parents[1] / "docs" / "screenshots"
SHOTS = [  # (file name, path, signed in as, width)
    ("home", "/", None, 1280),
    ("forums", "/forums/", "lena", 1280),
    ("topic", "/t/{solved}", "lena", 1280),
    ("topic-phone", "/t/{solved}", None, 390),
    ("register", "/account/register", None, 1280),
    ("profile", "/u/maria", "lena", 1280),
    ("members", "/u/", "lena", 1280),
    ("manage", "/manage/", "ada", 1280),
    ("notifications", "/notifications", "lena", 1280),
    ("welcome", "/welcome", "hannah", 1280),
    ("history", "/p/{edited}/history", "lena", 1280),
    ("queue", "/forums/queue", "kenji", 1280),
    ("search", "/search?q=snowflake+report", "lena", 1280),
    ("ask", "/forums/ask", "lena", 1280),  # with a title typed: the similar questions appear under it
    ("events", "/events/", "lena", 1280),
    ("event", "/events/{full}", "{waiting}", 1280),
    ("people", "/events/{full}/people", "maria", 1280),
    ("check-in-phone", "/events/{full}/check-in", "lena", 390),
    ("ticket-phone", "/events/{full}/ticket", "{going}", 390),
    ("plan", "/events/{party}/plan", "maria", 1280),
    ("results", "/events/{past}/results", "maria", 1280),
    ("ledger", "/advocates/u/arjun", "arjun", 1280),
    ("rising", "/advocates/rising", "maria", 1280),
    ("leaderboard", "/advocates/leaderboard?period=all", "lena", 1280),
    ("badges", "/advocates/badges", "arjun", 1280),
    ("pipeline", "/advocates/programme/pipeline", "maria", 1280),
    ("onboarding", "/advocates/programme", "diego", 1280),
    ("spotlight", "/advocates/spotlight", None, 1280),
    ("home-phone", "/", None, 390),
    ("profile-phone", "/u/kenji", None, 390),
]


def _event_ids() -> dict:
    """The demo's full meetup (and one person waiting, one going), its party with a checklist, a past event."""
    from community.core.timeutil import utcnow
    from community.events.models import RSVP, Event, Task

    full = db.session.scalar(select(Event).where(Event.capacity == Event.seats_taken, Event.ends_at > utcnow()))
    waiting = db.session.scalar(select(RSVP).where(RSVP.event_id == full.id, RSVP.state == "waitlisted")
                                .order_by(RSVP.queued_at))
    going = db.session.scalar(select(RSVP).where(RSVP.event_id == full.id, RSVP.state == "going"))
    party = db.session.scalar(select(Task.event_id).limit(1))
    past = db.session.scalar(select(Event.id).where(Event.closed_at.is_not(None)).order_by(Event.id))
    return {"full": full.id, "waiting": waiting.user.username, "going": going.user.username, "party": party,
            "past": past}


def main():
    folder = tempfile.mkdtemp(prefix="community-shots-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/demo.db", "SECRET_KEY": "screenshots",
                      "SEARCH_INDEX_DIR": f"{folder}/search-index"})
    app.instance_path = folder
    with app.app_context(), write_intent():
        upgrade()
        demo.load()
        edited = db.session.scalar(select(Post.id).where(Post.revision > 1))
        solved = db.session.scalar(select(Topic.id).where(Topic.accepted_post_id.is_not(None),
                                                          Topic.reply_count >= 2).order_by(Topic.id))
        ids = _event_ids()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for name, path, who, width in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 844},
                                          device_scale_factor=1)
            page = context.new_page()
            if who:
                page.goto(base + "/account/login")
                page.get_by_label("Username or email").fill(who.format(**ids))
                page.get_by_label("Password", exact=True).fill(demo.PASSWORD)
                page.get_by_role("button", name="Sign in").click()
            page.goto(base + path.format(solved=solved, edited=edited, **ids))
            if name == "ask":
                page.get_by_label("Title").fill("How do I connect Snowflake to Harbor?")
                page.locator(".similar-list").wait_for()
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=width < 400 or name == "topic")
            context.close()
            print(f"docs/screenshots/{name}.png")
        browser.close()
    server.shutdown()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
