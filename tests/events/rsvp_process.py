"""Another server process for the seat races: the test suite's app config on the same database, RSVPing through
the real service (community.events.rsvps.rsvp), one write transaction and one commit per RSVP, as a request would.

    python -m tests.events.rsvp_process SETUP EVENT_ID MEMBER_ID [MEMBER_ID ...]
        prints "ready", waits for a line on stdin (the test releases every process at once), then RSVPs for each
        member in turn and prints one JSON line per RSVP: {"member": id, "state": "going"} when it was taken, or
        {"member": id, "refused": "the sentence", "status": 409} when the service refused it

SETUP is a JSON object: {"database_url", "instance", "smtp_port"} (mail goes to the test's SMTP sink, sent after
each commit as the CLI sends it).
"""

import json
import sys
from pathlib import Path

from community import create_app
from community.accounts.models import User
from community.core.db import write_intent
from community.core.errors import DomainError
from community.events import rsvps
from community.events.models import Event
from community.extensions import db
from tests.conftest import _test_config


def app_for(setup: str):
    setup = json.loads(setup)
    app = create_app(_test_config(setup["database_url"], Path(setup["instance"]), smtp_port=setup.get("smtp_port")))
    app.instance_path = setup["instance"]
    return app


def rsvp_all(event_id: int, member_ids: list[int]) -> None:
    event = db.session.get(Event, event_id)
    members = [db.session.get(User, member_id) for member_id in member_ids]
    assert event is not None and all(members), "the event and the members exist before the race"
    db.session.commit()
    print("ready", flush=True)
    sys.stdin.readline()  # the test starts every process at once
    for member in members:
        with write_intent():
            try:
                row = rsvps.rsvp(event, member)
                state = row.state
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                print(json.dumps({"member": member.id, "refused": exc.message, "status": exc.status}), flush=True)
                continue
        print(json.dumps({"member": member.id, "state": state}), flush=True)


def main(setup: str, event_id: str, *member_ids: str) -> None:
    with app_for(setup).app_context():
        rsvp_all(int(event_id), [int(member_id) for member_id in member_ids])


if __name__ == "__main__":
    main(*sys.argv[1:])
