"""`flask --app wsgi users …`"""

import click
from flask.cli import AppGroup

from ..core.db import write_intent
from ..core.errors import DomainError
from ..core.timeutil import utcnow
from ..extensions import db
from . import services

users = AppGroup("users", help="Create and look after member accounts.")


@users.command("create")
@click.argument("email")
@click.option("--username", help="Defaults to the part of EMAIL before the @.")
@click.option("--role", type=click.Choice(["member", "moderator", "manager", "admin"]), default="member")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
def create(email, username, role, password):
    """Create a confirmed account with ROLE (member, moderator, manager, admin)."""
    username = username or email.split("@", 1)[0]
    with write_intent():
        try:
            user = services.create_member(username, email, password, role=role)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        user.email_verified_at = utcnow()
        db.session.commit()
    click.echo(f"Created {user.role} {user.username} <{user.email}>. They can sign in now.")
