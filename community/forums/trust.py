"""Trust levels (TL0-TL3 from activity, TL4 from staff), reading records, and the new-member limits."""

import click


def record_topic_view(viewer, topic, posts_read: int) -> None:
    """A signed-in member read a page of a topic (called by the topic page). Filled in with the trust work."""


def record_visit(viewer) -> None:
    """A signed-in member used the portal today (called once per request). Filled in with the trust work."""


@click.command("trust")
def trust_command():
    """Recompute every member's trust level (promotions, and demotions after the grace period)."""
    raise click.ClickException("not built yet")
