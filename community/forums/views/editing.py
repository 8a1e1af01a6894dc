"""Editing posts: the edit form, revision history with diffs, revert."""

from . import bp  # noqa: F401
