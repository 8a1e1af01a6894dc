"""Members in the search index: found by name, username or the words of their bio. Members who have not confirmed
their address, and suspended members, are left out (as in the member directory)."""

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import search
from ..core.text import plain
from .models import User

ATTRS = ("username", "display_name", "bio_html", "email_verified_at", "suspended_at", "created_at")


def _listed():
    return User.email_verified_at.is_not(None), User.suspended_at.is_(None)


def _doc(user: User) -> dict:
    return {
        "key": f"member:{user.id}",
        "kind": "member",
        "id": user.id,
        "title": user.display_name,
        "body": f"@{user.username} {plain(user.bio_html)}",
        "created": user.created_at,
        "visibility": search.PUBLIC,
    }


def member_changes(session: Session, ids: list[int]) -> Iterator[search.Change]:
    shown = {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids), *_listed()))}
    for user_id in ids:
        user = shown.get(user_id)
        yield search.Change(drop=[("key", f"member:{user_id}")], docs=[_doc(user)] if user else [])


def everything(session: Session) -> Iterator[dict]:
    for user in session.scalars(select(User).where(*_listed()).order_by(User.id).execution_options(yield_per=500)):
        yield _doc(user)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(*_listed())) or 0


search.watch(User, ATTRS, lambda user, old: [f"member:{user.id}"])
search.register(search.Source("member", member_changes, everything, count))
