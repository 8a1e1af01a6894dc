"""Flagging posts and the moderation queue."""

from . import bp  # noqa: F401
