"""Another server process, for the search index tests: the test suite's app config on the same database and index
folder, with the index kept in step after every commit as in production. It writes through the services.

    python -m tests.core.search_writer topics SETUP AUTHOR_ID CATEGORY_ID COUNT LABEL
        prints "ready", waits for a line on stdin, then opens COUNT topics, one commit each
    python -m tests.core.search_writer die-after-commit SETUP TOPIC_ID AUTHOR_ID BODY
        replies in the topic and dies (exit status 9) right after the commit, before the index sees the reply

SETUP is a JSON object: {"database_url", "instance", "search_dir"}.
"""

import json
import os
import sys

from community import create_app
from community.accounts.models import User
from community.core.db import after_commit, write_intent
from community.extensions import db
from community.forums import services
from community.forums.models import Category, Topic
from tests.conftest import _test_config

DIED = 9


def app_for(setup: str):
    setup = json.loads(setup)
    config = _test_config(setup["database_url"], setup["instance"], smtp_port=None, search_dir=setup["search_dir"])
    app = create_app({**config, "SEARCH_APPLY_AFTER_COMMIT": True})
    app.instance_path = setup["instance"]
    return app


def open_topics(author_id: int, category_id: int, count: int, label: str) -> None:
    author, category = db.session.get(User, int(author_id)), db.session.get(Category, int(category_id))
    db.session.commit()
    print("ready", flush=True)
    sys.stdin.readline()  # the test starts every writer at once
    for n in range(int(count)):
        with write_intent():
            services.create_topic(author, category, f"Process {label} question number {n} about moorings",
                                  f"Body {n} written by process {label}, one commit per topic.", limits=False)
            db.session.commit()


def die_after_commit(topic_id: int, author_id: int, body: str) -> None:
    topic, author = db.session.get(Topic, int(topic_id)), db.session.get(User, int(author_id))
    db.session.commit()
    with write_intent():
        after_commit(db.session, lambda: os._exit(DIED))  # runs first: before the search sync's callback
        services.post_reply(topic, author, body, limits=False)
        db.session.commit()
    raise SystemExit("still alive after the commit")


def main(command: str, setup: str, *args: str) -> None:
    with app_for(setup).app_context():
        if command == "topics":
            open_topics(*args)
        elif command == "die-after-commit":
            die_after_commit(*args)
        else:
            raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
