"""Top-level commands: `flask --app wsgi demo load`, `mail send`, and each area's group."""

import click
from flask import current_app
from flask.cli import AppGroup

from .core import mail as mailer
from .core import search as searcher
from .core.db import write_intent

demo = AppGroup("demo", help="The demo community.")
mail = AppGroup("mail", help="The mail outbox.")
search_group = AppGroup("search", help="The search index.")


@demo.command("load")
def demo_load():
    """Fill an empty database with a demo community (skips when members exist)."""
    from . import demo as demo_data

    with write_intent():
        created = demo_data.load()
    click.echo("Demo community loaded." if created else "The database already has members: nothing loaded.")
    logins = demo_data.logins()
    if logins:
        click.echo("Sign in at /account/login with any of these demo accounts:")
        for name, role in logins:
            click.echo(f"  {name:<6} {role:<10} password: {demo_data.PASSWORD}")


@mail.command("send")
def mail_send():
    """Send every message still waiting in the outbox."""
    ids = mailer.pending_ids()
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(f"MAIL_SERVER is not set: {len(ids)} message(s) wait in the outbox.")
        return
    with click.progressbar(length=len(ids), label="Sending mail") as bar:
        sent = 0
        for message_id in ids:
            sent += mailer.deliver(current_app._get_current_object(), [message_id])
            bar.update(1)
    click.echo(f"Sent {sent} of {len(ids)} message(s).")
    if sent < len(ids):
        raise SystemExit(1)


@search_group.command("sync")
def search_sync():
    """Apply every change still waiting in the search outbox."""
    applied = searcher.sync(current_app._get_current_object(), rounds=10**6)
    if applied is None:
        click.echo("The index is busy (another process holds its writer lock); try again in a moment.")
        raise SystemExit(1)
    click.echo(f"Applied {applied} waiting change(s); the outbox is empty.")


@search_group.command("reindex")
def search_reindex():
    """Rebuild the index from the database in a fresh folder, then swap it in."""
    from sqlalchemy.orm import Session

    from .extensions import db

    with Session(db.engine) as session:
        total = searcher.expected_count(session)
    try:
        with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
            count = searcher.reindex(current_app._get_current_object(), progress=bar.update)
    except searcher.LockError as exc:
        click.echo(f"Not reindexed: {exc or 'another process held the index for a minute; try again.'}")
        raise SystemExit(1) from None
    click.echo(f"Indexed {count} document(s).")


@search_group.command("check")
def search_check():
    """Compare the index with the database; exit 1 if any document is missing, extra or stale."""
    found = searcher.check(current_app._get_current_object())
    for label, keys in (("missing", found.missing), ("extra", found.extra), ("stale", found.stale)):
        shown = ", ".join(keys[:20]) + (" …" if len(keys) > 20 else "")
        click.echo(f"{label}: {len(keys)}" + (f" ({shown})" if keys else ""))
    if found.pending:
        click.echo(f"{found.pending} change(s) wait in the outbox: `flask --app wsgi search sync` applies them.")
    if found.total:
        raise SystemExit(1)
    click.echo("The index matches the database.")


def register_commands(app):
    from .accounts.cli import users
    from .advocates.cli import advocates
    from .events.cli import events
    from .forums.cli import forums

    for group in (demo, mail, search_group, users, forums, events, advocates):
        app.cli.add_command(group)
