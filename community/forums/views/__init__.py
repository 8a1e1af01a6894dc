"""The forums blueprint. Its views live in the modules below, one per part of the forum."""

from flask import Blueprint

bp = Blueprint("forums", __name__)

from . import editing, flags, moderation, notifications, topics, welcome  # noqa: E402, F401  (they add routes)
