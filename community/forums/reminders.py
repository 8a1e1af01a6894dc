"""The one-time reminder to an asker whose question has replies but no accepted answer after 3 days."""

import click


@click.command("reminders")
def reminders_command():
    """Remind askers, once, when their question has replies but no accepted answer after 3 days."""
    raise click.ClickException("not built yet")
