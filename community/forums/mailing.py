"""Mail about forum activity: one mail per notification for members who want it at once; digests elsewhere."""


def mail_now(note) -> None:
    """Queue the mail for one notification, if its member wants mail at once. (Filled in with the mail work.)"""


import click  # noqa: E402


@click.command("digest")
def digest_command():
    """Mail each member who chose the daily digest what happened since their last one."""
    raise click.ClickException("not built yet")
