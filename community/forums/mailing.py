"""Mail about forum activity: at once (one mail per notification), in a daily digest, or not at all — each
member's choice. Every mail links to the post, carries a one-click `List-Unsubscribe`, and answers reach the
community team (Reply-To from config, never "noreply")."""

from collections import defaultdict
from datetime import timedelta

import click
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import mail
from ..core.db import write_intent
from ..core.errors import Invalid
from ..core.timeutil import utcnow
from ..core.urls import public_url
from ..extensions import db
from .models import Notification, Topic

PREFERENCES = {
    "immediate": "At once: a mail for each reply, mention or answer that concerns you",
    "digest": "Daily digest: one mail a day with everything that happened",
    "none": "No mail: I'll check the bell on the site",
}
DIGEST_EVERY = timedelta(hours=20)  # the job may run hourly: each member gets at most one digest a day


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="community.unsubscribe")


def unsubscribe_token(user: User) -> str:
    return _serializer().dumps(user.id)


def member_from_token(token: str) -> User:
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        raise Invalid("This unsubscribe link is damaged: open it again from the mail, or change your mail settings "
                      "after signing in.") from None
    user = db.session.get(User, user_id)
    if user is None:
        raise Invalid("This unsubscribe link is for an account that no longer exists.")
    return user


def set_preference(user: User, preference: str) -> None:
    if preference not in PREFERENCES:
        raise Invalid("Choose how often we may mail you.", field="email_notifications")
    user.email_notifications = preference
    if preference == "digest" and user.digest_sent_at is None:
        user.digest_sent_at = utcnow()  # the first digest covers what happens from now on
    db.session.flush()


def _mailable(user: User) -> bool:
    return user.email_verified_at is not None and user.suspended_at is None


def _link(note: Notification) -> str:
    if note.post_id:
        return public_url("forums.post", post_id=note.post_id)
    if note.topic_id:
        return public_url("forums.topic", topic_id=note.topic_id)
    return public_url("forums.notifications")


def _send(user: User, subject: str, template: str, **context) -> None:
    mail.queue(user.email, subject, f"forums/{template}", category=f"forums.{template}",
               unsubscribe_url=public_url("forums.unsubscribe", token=unsubscribe_token(user)), user=user,
               settings_url=public_url("forums.mail_settings"), **context)


def mail_now(note: Notification, *, topic=None, post=None, actor=None) -> None:
    """The mail for one notification, for a member who wants mail at once."""
    from .notifications import describe

    user = db.session.get(User, note.user_id)
    if user.email_notifications != "immediate" or not _mailable(user):
        return
    sentence = describe(note, topic, actor)
    _send(user, sentence, "notification", sentence=sentence, post=post, link=_link(note))
    note.mailed_at = utcnow()


def send_digests(now=None) -> tuple[int, int]:
    """Mail every digest member whose last digest is a day old what happened since. (members mailed, items)."""
    from .notifications import describe

    now = now or utcnow()
    due = (select(Notification).join(User, User.id == Notification.user_id)
           .where(User.email_notifications == "digest", Notification.mailed_at.is_(None),
                  Notification.read_at.is_(None),
                  (User.digest_sent_at.is_(None)) | (User.digest_sent_at <= now - DIGEST_EVERY))
           .options(joinedload(Notification.topic).joinedload(Topic.category), joinedload(Notification.actor))
           .order_by(Notification.user_id, Notification.topic_id, Notification.id))
    notes = list(db.session.scalars(due).unique())
    by_member: dict[int, list[Notification]] = defaultdict(list)
    for note in notes:
        by_member[note.user_id].append(note)
    members = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(by_member))))}
    mailed = 0
    for user_id, items in by_member.items():
        user = members[user_id]
        if not _mailable(user):
            continue
        topics = defaultdict(list)  # grouped by topic, in the order they came
        for note in items:
            topics[note.topic].append((describe(note), _link(note)))
        count = len(items)
        subject = f"Your daily digest: {count} update{'s' if count != 1 else ''} from the community"
        _send(user, subject, "digest", topics=list(topics.items()), count=count)
        mailed += 1
    if notes:
        db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in notes]))
                           .values(mailed_at=now).execution_options(synchronize_session=False))
        db.session.execute(update(User).where(User.id.in_(list(members))).values(digest_sent_at=now)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    return mailed, len(notes)


@click.command("digest")
def digest_command():
    """Mail each member who chose the daily digest what happened since their last one (run it hourly)."""
    with write_intent():
        mailed, items = send_digests()
        db.session.commit()
    click.echo(f"Sent {mailed} digest(s) covering {items} update(s).")
