"""`flask --app wsgi advocates …`: the programme's scheduled jobs."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..accounts.models import User
from ..core.db import write_intent
from ..extensions import db
from . import levels
from .models import Level

advocates = AppGroup("advocates", help="The advocate programme's jobs: the quarterly review of levels.")


@advocates.command("review-levels")
def review_levels_command():
    """The quarterly review: levels move to what the last 365 days show; no demotion within 30 days of a
    promotion; nothing is announced."""
    with write_intent():
        ids = list(db.session.scalars(select(Level.user_id).order_by(Level.user_id)))
        moved = {"up": 0, "down": 0}
        with click.progressbar(ids, label="Reviewing levels") as bar:
            for number, user_id in enumerate(bar, start=1):
                change = levels.review(db.session.get(User, user_id))
                if change:
                    moved["up" if change[1] < change[0] else "down"] += 1
                if number % 200 == 0:
                    db.session.commit()
        db.session.commit()
    click.echo(f"{len(ids)} member(s) reviewed: {moved['up']} moved up, {moved['down']} moved down.")


@advocates.command("member-of-the-month")
def member_of_the_month_command():
    """Choose this month's New Members of the Month (run it monthly; a second run in the month does nothing)."""
    from . import monthly

    with write_intent():
        chosen = monthly.choose()
        db.session.commit()
    click.echo(f"New Members of the Month: {', '.join(m.name for m in chosen)}." if chosen
               else "Nobody new chosen (this month's are chosen already, or nobody qualifies).")
