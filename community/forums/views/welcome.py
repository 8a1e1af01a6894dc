"""The welcome page a new member lands on after confirming their address."""

from . import bp  # noqa: F401
