"""Celebration: customers' success from their point of view. Badges, levels and hosting are celebrated as they
happen; a manager may enter a customer's own milestone ("went live", "certified", "5 years with us"), shown only
after the member says yes. The celebrated member hears of it by mail (unless they take no mail)."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import mail
from ..core.errors import Conflict, Invalid, NotAllowed
from ..core.timeutil import utcnow
from ..core.urls import public_url
from ..extensions import db
from .models import Celebration

SHOWN_ON_HOME = 5


def path(endpoint: str, **values) -> str:
    """A page's path, in a request or a CLI command alike (the spotlight links to it)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def celebrate(member: User, kind: str, text: str, link: str = "") -> Celebration:
    """An automatic celebration: shown at once, and the member is told."""
    row = Celebration(member_id=member.id, kind=kind, text=text, link=link, shown_at=utcnow())
    db.session.add(row)
    db.session.flush()
    _tell(member, row, "celebrated")
    return row


def propose_milestone(member: User, text: str, by: User) -> Celebration:
    """A customer's milestone, entered by a manager; it waits for the member's yes."""
    text = " ".join(text.split())
    if not 5 <= len(text) <= 200:
        raise Invalid("Describe the milestone in 5 to 200 characters, e.g. “went live with Harbor”.", field="text")
    row = Celebration(member_id=member.id, kind="milestone", text=text, by_id=by.id)
    db.session.add(row)
    db.session.flush()
    _tell(member, row, "consent", force=True)
    return row


def answer(row: Celebration, member: User, yes: bool) -> Celebration:
    if row.member_id != member.id:
        raise NotAllowed("Only the member it celebrates can answer this.")
    if row.shown_at is not None or row.declined_at is not None:
        raise Conflict("You answered this already: thank you.")
    if yes:
        row.shown_at = utcnow()
    else:
        row.declined_at = utcnow()
    db.session.flush()
    return row


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="community.celebration")


def token(row: Celebration) -> str:
    return _serializer().dumps(row.id)


def from_token(value: str) -> Celebration:
    try:
        row = db.session.get(Celebration, _serializer().loads(value))
    except BadSignature:
        row = None
    if row is None:
        raise Invalid("This link is damaged or no longer exists: open it again from the mail.")
    return row


def _tell(member: User, row: Celebration, template: str, force: bool = False) -> None:
    if not force and (member.email_notifications == "none" or member.email_verified_at is None):
        return
    link = public_url("advocates.milestone", token=token(row)) if template == "consent" else \
        public_url("advocates.spotlight")
    mail.queue(member.email, "May we celebrate this?" if template == "consent" else f"Congratulations: you {row.text}",
               f"advocates/{template}", category=f"advocates.{template}", member=member, row=row, link=link)


def shown(limit: int = 50) -> list[Celebration]:
    return list(db.session.scalars(select(Celebration).where(Celebration.shown_at.is_not(None))
                                   .options(joinedload(Celebration.member))
                                   .order_by(Celebration.shown_at.desc(), Celebration.id.desc()).limit(limit)))
