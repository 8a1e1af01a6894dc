"""Every write to accounts. Services take plain values, flush, raise domain errors, send signals; never commit."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..core import mail, text
from ..core.errors import Conflict, Invalid, NotAllowed
from ..core.permissions import ROLES
from ..core.timeutil import is_zone, utcnow
from ..core.urls import public_url
from ..extensions import db
from . import tokens
from .models import User

MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9]$")
USERNAME_RULE = "Use 3 to 30 letters, digits, dots, dashes or underscores, starting and ending with a letter or digit."
WRONG_LOGIN = "That username or password is wrong. Check both, or reset your password."


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])  # argon2id


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(f"That email address doesn't look right: {exc}", field="email") from None


def find_by_login(login: str) -> User | None:
    login = login.strip().lower()
    column = User.email if "@" in login else User.username_key
    return db.session.scalar(select(User).where(column == login))


def check_password_rules(password: str, user_words=()) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Use at least {MIN_PASSWORD} characters for your password.", field="password")
    if any(word and password.lower() == word.lower() for word in user_words):
        raise Invalid("Choose a password that isn't your username or email address.", field="password")


def create_member(username, email, password, *, display_name="", time_zone="UTC", role="member", bio=""):
    """A new account, not yet confirmed. Raises `Invalid` naming the field that is wrong."""
    if not USERNAME.match(username):
        raise Invalid(USERNAME_RULE, field="username")
    email = normalize_email(email)
    if db.session.scalar(select(User.id).where(User.username_key == username.lower())):
        raise Invalid("That username is taken — choose another.", field="username")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Invalid("That address is already registered — sign in or reset your password.", field="email")
    check_password_rules(password, (username, email))
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", field="role")
    user = User(
        username=username, username_key=username.lower(), email=email, password_hash=_hasher().hash(password),
        display_name=display_name.strip() or username, time_zone=time_zone if is_zone(time_zone) else "UTC",
        role=role, bio=bio, bio_html=text.render(bio),
    )
    try:
        with db.session.begin_nested():  # someone may take the name between our check and this insert
            db.session.add(user)
    except IntegrityError:
        raise Invalid("That username or address was taken a moment ago — choose another.", field="username") from None
    return user


def register(username, email, password, *, time_zone="UTC"):
    user = create_member(username, email, password, time_zone=time_zone)
    send_verification(user)
    signals.member_registered.send(user)
    return user


def send_verification(user: User) -> None:
    link = public_url("accounts.verify", token=tokens.make(user, "verify"))
    mail.queue(user.email, f"Confirm your address for {current_app.config['COMMUNITY_NAME']}",
               "accounts/verify", category="account", user=user, link=link)


def resend_verification(email: str) -> None:
    """A new confirmation link for an account still waiting for one; nothing for any other address."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is not None and user.email_verified_at is None and user.suspended_at is None:
        send_verification(user)


def verify_email(token: str) -> User:
    user, nonce = tokens.read(token, "verify")
    tokens.spend("verify", nonce)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        signals.member_verified.send(user)
    return user


def authenticate(login: str, password: str) -> User:
    user = find_by_login(login)
    if user is None:
        _hasher().hash(password)  # same work either way: timing doesn't tell who is registered
        raise Invalid(WRONG_LOGIN)
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Invalid(WRONG_LOGIN) from None
    if user.suspended_at is not None:
        raise NotAllowed(f"Your account is suspended: {user.suspended_reason} "
                         f"Write to {current_app.config['MAIL_REPLY_TO']} if you think this is a mistake.")
    if user.email_verified_at is None:
        raise NotAllowed(f"Confirm your address first: open the link we sent to {user.email}, "
                         "or ask for a new one below.")
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_seen_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.suspended_at is not None:
        return
    link = public_url("accounts.reset_password", token=tokens.make(user, "reset"))
    mail.queue(user.email, f"Reset your {current_app.config['COMMUNITY_NAME']} password",
               "accounts/reset", category="account", user=user, link=link)


def reset_password(token: str, password: str) -> User:
    user, nonce = tokens.read(token, "reset")
    check_password_rules(password, (user.username, user.email))
    tokens.spend("reset", nonce)
    _set_password(user, password)
    if user.email_verified_at is None:  # the reset link proves the address too
        user.email_verified_at = utcnow()
    return user


def change_password(user: User, current: str, new: str) -> None:
    try:
        _hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Invalid("Your current password is not right.", field="current_password") from None
    check_password_rules(new, (user.username, user.email))
    _set_password(user, new)


def _set_password(user: User, password: str) -> None:
    """A new password signs the member out of every other session and kills older reset links."""
    user.password_hash = _hasher().hash(password)
    user.auth_version += 1


def update_profile(user: User, *, display_name: str, bio: str, time_zone: str) -> User:
    if not is_zone(time_zone):
        raise Invalid("Choose a time zone from the list.", field="time_zone")
    user.display_name = display_name.strip() or user.username
    user.bio = bio
    user.bio_html = text.render(bio)
    user.time_zone = time_zone
    return user


def suspend(user: User, *, by: User, reason: str) -> User:
    if user.id == by.id:
        raise NotAllowed("You can't suspend your own account.")
    if user.role == "admin":
        raise NotAllowed("Admins can't be suspended. Change their role first.")
    if user.suspended_at is not None:
        raise Conflict(f"{user.name} is already suspended.")
    if not reason.strip():
        raise Invalid("Say why: the member is shown this reason when they try to sign in.", field="reason")
    user.suspended_at, user.suspended_reason, user.suspended_by_id = utcnow(), reason.strip(), by.id
    signals.member_suspended.send(user, by=by, reason=reason)
    return user


def set_role(user: User, role: str, *, by: User) -> User:
    if role not in ROLES:
        raise Invalid(f"Choose one of: {', '.join(ROLES)}.", field="role")
    if user.id == by.id:
        raise NotAllowed("You can't change your own role: ask another admin.")
    if user.role == role:
        raise Conflict(f"{user.name} is already a {role}.")
    previous, user.role = user.role, role
    signals.member_role_changed.send(user, by=by, previous=previous)
    return user


def restore(user: User, *, by: User) -> User:
    if user.suspended_at is None:
        raise Conflict(f"{user.name} is not suspended.")
    user.suspended_at = user.suspended_reason = user.suspended_by_id = None
    signals.member_restored.send(user, by=by)
    return user
