"""Plain functions that build test data through the real services."""

import itertools

from community.accounts import services
from community.core.timeutil import utcnow
from community.extensions import db

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_member(username=None, *, role="member", verified=True, bio="", display_name="", email=None,
                time_zone="UTC", password=PASSWORD):
    username = username or f"member{next(_numbers)}"
    user = services.create_member(username, email or f"{username}@example.com", password, role=role, bio=bio,
                                  display_name=display_name, time_zone=time_zone)
    if verified:
        user.email_verified_at = utcnow()
    db.session.commit()
    return user
