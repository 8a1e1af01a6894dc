"""Signed, expiring, single-use tokens for links sent by mail (address confirmation, password reset).

A token carries the member's id, a random nonce, and a fingerprint of the state it may change (the address to
confirm; the password hash to replace), so it dies when that state changes. Spending a token records its nonce in
`used_tokens`: any other spelling of the same signed payload is refused too.
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
USED = "This link has been used already. Ask for a new one below if you still need it."
CHANGED = {
    "verify": "This link is for an address that has changed since it was sent. Ask for a new link below.",
    "reset": "This link was replaced: the password has changed since it was sent. Ask for a new one below.",
}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"community.{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    state = user.email if purpose == "verify" else user.password_hash
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def make(user: User, purpose: str) -> str:
    payload = {"u": user.id, "f": _fingerprint(user, purpose), "n": secrets.token_urlsafe(16)}
    return _serializer(purpose).dumps(payload)


def read(token: str, purpose: str) -> tuple[User, str]:
    """(member, nonce) for a valid, unspent token; `Invalid` or `Conflict` with a sentence otherwise."""
    max_age = current_app.config[PURPOSES[purpose]]
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid("This link has expired. Ask for a new one below.") from None
    except BadSignature:
        raise Invalid("This link is not valid. Check that you copied all of it, or ask for a new one below.") from None
    user = db.session.get(User, payload.get("u"))
    if user is None:
        raise Invalid("This link is for an account that no longer exists.")
    if db.session.get(UsedToken, _digest(purpose, payload["n"])) is not None:
        raise Conflict(USED)
    if payload.get("f") != _fingerprint(user, purpose):
        raise Conflict(CHANGED[purpose])
    return user, payload["n"]


def spend(purpose: str, nonce: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(UsedToken(digest=_digest(purpose, nonce), purpose=purpose))
    except IntegrityError:
        raise Conflict(USED) from None


def _digest(purpose: str, nonce: str) -> str:
    return hashlib.sha256(f"{purpose}:{nonce}".encode()).hexdigest()
