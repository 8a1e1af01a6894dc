"""Reads for account pages: one query per page whatever the size of the community."""

from flask import abort
from flask_login import current_user
from sqlalchemy import or_, select

from ..core.pagination import keyset
from ..core.permissions import visible_member
from ..extensions import db
from .models import User


def member_or_404(username: str) -> User:
    """The member with this username, if the viewer may see them (404 either way, so names don't leak)."""
    user = db.session.scalar(select(User).where(User.username_key == username.lower()))
    if user is None or not visible_member(current_user, user):
        abort(404)
    return user


def member_directory(after: int | None, q: str, per_page: int = 24):
    query = select(User).where(User.email_verified_at.is_not(None), User.suspended_at.is_(None))
    q = q.strip()[:80]
    if q:
        pattern = f"%{q.lower().replace('%', '').replace('_', '')}%"
        query = query.where(or_(User.username_key.like(pattern), User.display_name.ilike(pattern)))
    return keyset(query, User.id, after, per_page)


def newest_members(limit: int = 8) -> list[User]:
    query = select(User).where(User.email_verified_at.is_not(None), User.suspended_at.is_(None))
    return list(db.session.scalars(query.order_by(User.created_at.desc(), User.id.desc()).limit(limit)))


def staff(limit: int = 12) -> list[User]:
    query = select(User).where(User.role.in_(("moderator", "manager", "admin")), User.suspended_at.is_(None))
    return list(db.session.scalars(query.order_by(User.role.desc(), User.username_key).limit(limit)))


def by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username_key == username.lower().lstrip("@")[:30]))


def by_ids(ids) -> dict[int, User]:
    """Members by id (search results: authors and member hits), confirmed and not suspended. 1 query."""
    ids = {int(i) for i in ids if str(i).isdigit()}
    if not ids:
        return {}
    query = select(User).where(User.id.in_(ids), User.email_verified_at.is_not(None), User.suspended_at.is_(None))
    return {user.id: user for user in db.session.scalars(query)}
