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
from ..core.permissions import may_enter
from ..core.timeutil import utcnow
from ..core.urls import public_url
from ..extensions import db
from .models import Notification, Post, Topic

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
    from .notifications import target

    endpoint, values = target(note)
    return public_url(endpoint, **values)


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


def _where(note: Notification) -> Topic | None:
    """The topic a notification is about now: where its post lives (a merge or a split may have moved it)."""
    return note.post.topic if note.post is not None else note.topic


def _still_news(note: Notification, user: User) -> bool:
    """Is what the notification points at still there for this member: the topic (where the post lives now) is not
    deleted, nor the post, nor hidden (but "your post is hidden" is news to its author), and their role may read its
    category (a topic may have moved to a private one since)."""
    topic = _where(note)
    if topic is None:
        return True
    if topic.deleted_at is not None or (note.post is not None and note.post.deleted_at is not None):
        return False
    if note.post is not None and note.post.hidden_at is not None and note.kind != "flagged":
        return False
    required = topic.category.min_role
    return may_enter(user, required)


def send_digests(now=None) -> tuple[int, int]:
    """Mail every digest member whose last digest is a day old what happened since. (members mailed, items).
    Notifications about what is deleted, hidden or out of the member's sight since are left out, and marked mailed
    so they never wait for a later digest."""
    from .notifications import describe

    now = now or utcnow()
    due = (select(Notification).join(User, User.id == Notification.user_id)
           .where(User.email_notifications == "digest", Notification.mailed_at.is_(None),
                  Notification.read_at.is_(None),
                  (User.digest_sent_at.is_(None)) | (User.digest_sent_at <= now - DIGEST_EVERY))
           .options(joinedload(Notification.topic).joinedload(Topic.category), joinedload(Notification.actor),
                    joinedload(Notification.post).joinedload(Post.topic).joinedload(Topic.category))
           .order_by(Notification.user_id, Notification.topic_id, Notification.id))
    notes = list(db.session.scalars(due).unique())
    by_member: dict[int, list[Notification]] = defaultdict(list)
    for note in notes:
        by_member[note.user_id].append(note)
    members = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(by_member))))}
    mailed = told = 0
    for user_id, items in by_member.items():
        user = members[user_id]
        items = [note for note in items if _still_news(note, user)]
        if not items or not _mailable(user):
            continue
        topics = defaultdict(list)  # grouped by topic, in the order they came
        for note in items:
            topics[_where(note)].append((describe(note, _where(note)), _link(note)))
        count = len(items)
        subject = f"Your daily digest: {count} update{'s' if count != 1 else ''} from the community"
        _send(user, subject, "digest", topics=list(topics.items()), count=count)
        mailed += 1
        told += count
    if notes:
        db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in notes]))
                           .values(mailed_at=now).execution_options(synchronize_session=False))
        db.session.execute(update(User).where(User.id.in_(list(members))).values(digest_sent_at=now)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    return mailed, told


@click.command("digest")
def digest_command():
    """Mail each member who chose the daily digest what happened since their last one (run it hourly)."""
    with write_intent():
        mailed, items = send_digests()
        db.session.commit()
    click.echo(f"Sent {mailed} digest(s) covering {items} update(s).")
