"""What managers do about a rising star: invite them to the programme or offer a task (each with a personal
message they receive by mail), "not now" (60 days), or dismiss (with a reason). Every action is logged."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core import mail
from ..core.errors import Invalid
from ..core.timeutil import utcnow
from ..core.urls import public_url
from ..extensions import db
from . import programme
from .models import StarAction
from .rising import snoozed_until

ACTIONS = {
    "invite": ("Invite to the programme", "Your personal message", "An invitation to the {community} advocates"),
    "task": ("Offer a task", "The task, in a sentence or two", "Would you help with something? ({community})"),
    "snooze": ("Not now", "Why not now (for the log)", None),
    "dismiss": ("Dismiss", "Why (for the log)", None),
}


def act(member, action: str, by, message: str) -> StarAction:
    if action not in ACTIONS:
        raise Invalid("Pick invite, offer a task, not now or dismiss.")
    message = message.strip()
    if len(message) < 10:
        raise Invalid("Write a sentence: " + ("the member reads it." if action in ("invite", "task")
                                               else "the log keeps why."), field="message")
    row = StarAction(member_id=member.id, action=action, message=message[:2000], by_id=by.id,
                     until=snoozed_until(utcnow()) if action == "snooze" else None)
    db.session.add(row)
    db.session.flush()
    if action == "invite":  # into the programme's pipeline, with the mail that lets them answer
        programme.invite(member, by, message)
        return row
    if action == "task":
        programme.spot(member, by, f"From the rising stars, offered a task: {message}")
    subject = ACTIONS[action][2]
    if subject:
        from flask import current_app

        mail.queue(member.email, subject.format(community=current_app.config["COMMUNITY_NAME"]),
                   "advocates/recruit", category=f"advocates.{action}", member=member, by=by, action=action,
                   message=message, ledger=public_url("advocates.member_ledger", username=member.username))
    return row


def recent(limit: int = 20) -> list[StarAction]:
    return list(db.session.scalars(select(StarAction).options(joinedload(StarAction.member),
                                                              joinedload(StarAction.by))
                                   .order_by(StarAction.id.desc()).limit(limit)))
