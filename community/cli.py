"""Top-level commands: `flask --app wsgi demo load`, `mail send`, and each area's group."""

import click
from flask import current_app
from flask.cli import AppGroup

from .core import mail as mailer
from .core.db import write_intent

demo = AppGroup("demo", help="The demo community.")
mail = AppGroup("mail", help="The mail outbox.")


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


def register_commands(app):
    from .accounts.cli import users
    from .forums.cli import forums

    for group in (demo, mail, users, forums):
        app.cli.add_command(group)
