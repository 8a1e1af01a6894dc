"""Reads for the console."""

from sqlalchemy import func, select

from ..accounts.models import User
from ..core.pagination import keyset
from ..extensions import db


def member_list(role: str, status: str, after: int | None, per_page: int = 50):
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if status == "suspended":
        query = query.where(User.suspended_at.is_not(None))
    elif status == "unconfirmed":
        query = query.where(User.email_verified_at.is_(None))
    return keyset(query, User.id, after, per_page)


def member_counts() -> dict:
    row = db.session.execute(select(
        func.count(User.id),
        func.count(User.suspended_at),
        func.count(User.id).filter(User.email_verified_at.is_(None)),
        func.count(User.id).filter(User.role != "member"),
    )).one()
    return dict(zip(("all", "suspended", "unconfirmed", "staff"), row, strict=True))
