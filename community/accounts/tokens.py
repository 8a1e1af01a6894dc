"""Signed, expiring, single-use tokens for links sent by mail (address confirmation, password reset).

A token carries the member's id and a fingerprint of the state it may change (the address to confirm; a piece of
the password hash to replace), so it dies when that state changes. Spending a token writes its digest to
`used_tokens`; a second use is refused even within its lifetime.
"""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..core.errors import Conflict, Invalid
from ..core.models import UsedToken
from ..extensions import db
from .models import User

PURPOSES = {"verify": "TOKEN_MAX_AGE_VERIFY", "reset": "TOKEN_MAX_AGE_RESET"}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"community.{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    state = user.email if purpose == "verify" else user.password_hash
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def make(user: User, purpose: str) -> str:
    payload = {"u": user.id, "f": _fingerprint(user, purpose), "n": secrets.token_urlsafe(6)}
    return _serializer(purpose).dumps(payload)


def read(token: str, purpose: str) -> User:
    """The member a valid, unspent token is for; `Invalid` or `Conflict` with a sentence otherwise."""
    max_age = current_app.config[PURPOSES[purpose]]
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid("This link has expired. Ask for a new one below.") from None
    except BadSignature:
        raise Invalid("This link is not valid. Check that you copied all of it, or ask for a new one.") from None
    user = db.session.get(User, payload.get("u"))
    if user is None or payload.get("f") != _fingerprint(user, purpose) or _is_spent(token):
        raise Conflict("This link has been used already. Ask for a new one if you still need it.")
    return user


def spend(token: str, purpose: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(UsedToken(digest=_digest(token), purpose=purpose))
    except IntegrityError:
        raise Conflict("This link has been used already. Ask for a new one if you still need it.") from None


def _is_spent(token: str) -> bool:
    return db.session.get(UsedToken, _digest(token)) is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
