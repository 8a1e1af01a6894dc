"""Notifications (bell, list, mark read), watching levels, mail preferences, unsubscribe."""

from . import bp  # noqa: F401
