"""Mail through an outbox: queued in the request's transaction, sent over SMTP after the commit (in a request, on a
thread of its own), never on rollback.

A message is claimed (a lease, so two senders never send it twice), sent, then marked sent. If the process dies
between commit and send, the row stays unsent and `flask --app wsgi mail send` delivers it later.
"""

import contextlib
import contextvars
import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app, has_request_context, render_template
from sqlalchemy import or_, select, update

from ..extensions import db
from .db import after_commit
from .models import MailMessage
from .timeutil import utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


@contextlib.contextmanager
def suppressed():
    """Inside this block nothing is queued (the demo's history happened in the past: it mails nobody)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


_suppressed = contextvars.ContextVar("mail_suppressed", default=False)


def queue(to: str, subject: str, template: str, *, category: str, unsubscribe_url: str | None = None,
          attachments: list[dict] | None = None, **context):
    """Write a message to the outbox (rendered from emails/<template>.txt and .html) and send it after commit.
    `attachments` are text files: [{"filename": "event.ics", "content_type": "text/calendar; method=REQUEST",
    "text": "BEGIN:VCALENDAR…"}]."""
    if _suppressed.get():
        return None
    context.update(subject=subject, community=current_app.config["COMMUNITY_NAME"])
    headers = {}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = MailMessage(
        to=to,
        subject=subject,
        text=render_template(f"emails/{template}.txt", **context),
        html=render_template(f"emails/{template}.html", **context),
        headers=headers,
        attachments=attachments or None,
        category=category,
    )
    db.session.add(message)
    db.session.flush()
    _batch(db.session).ids.append(message.id)
    return message


class _Batch:
    """The mail a transaction queued: sent together after its commit, over one SMTP connection."""

    def __init__(self, app):
        self.app, self.ids = app, []

    def __call__(self):
        _send_soon(self.app, self.ids)


def _batch(session) -> _Batch:
    batch = session.info.get("mail_batch")
    if batch is None or batch not in session.info.get("after_commit", ()):  # none yet, or its transaction ended
        batch = session.info["mail_batch"] = _Batch(current_app._get_current_object())
        after_commit(session, batch)
    return batch


def _send_soon(app, ids) -> None:
    """In a request: on a thread of its own, so nobody waits on SMTP and the time a response takes never tells
    whether a mail was sent. (Not `response.call_on_close`: werkzeug's server runs it only once the browser has
    closed its connection, which can be seconds later.) Elsewhere (CLI, jobs): now."""
    if not has_request_context():
        deliver(app, ids)
        return
    thread = threading.Thread(target=_deliver_in_thread, args=(app, ids), name="mail-sender", daemon=True)
    with _senders_lock:
        app.extensions.setdefault("mail_senders", set()).add(thread)
    thread.start()


_senders_lock = threading.Lock()


def _deliver_in_thread(app, ids) -> None:
    try:
        with app.app_context():
            deliver(app, ids)
    except Exception:  # the rows stay in the outbox; `flask --app wsgi mail send` delivers them later
        log.exception("mail %s not sent; it stays in the outbox", ids)
    finally:
        with _senders_lock:
            app.extensions["mail_senders"].discard(threading.current_thread())


def wait_for_senders(app, timeout: float = 30.0) -> None:
    """Let the mail threads this app started finish (tests before they empty the database; orderly shutdowns)."""
    with _senders_lock:
        threads = list(app.extensions.get("mail_senders", ()))
    for thread in threads:
        thread.join(timeout)


def pending_ids() -> list[int]:
    stale = utcnow() - LEASE
    query = select(MailMessage.id).where(
        MailMessage.sent_at.is_(None), or_(MailMessage.claimed_at.is_(None), MailMessage.claimed_at < stale)
    )
    return list(db.session.scalars(query.order_by(MailMessage.id)))


def deliver(app, ids) -> int:
    """Send the given outbox messages that nobody else is sending; return how many went out."""
    if not app.config.get("MAIL_SERVER"):
        for message_id in ids:
            _log_unsent(message_id)
        return 0
    sent, smtp = 0, None
    try:
        for message_id in ids:
            row = _claim(message_id)
            if row is None:
                continue
            try:
                smtp = smtp or _connect(app.config)
                smtp.send_message(_build(app.config, row))
            except (OSError, smtplib.SMTPException) as exc:
                _release(message_id, f"{type(exc).__name__}: {exc}")
                log.warning("mail %s to %s not sent: %s", message_id, row.to, exc)
                smtp = _close(smtp)
                continue
            with db.engine.begin() as conn:
                conn.execute(update(MailMessage).where(MailMessage.id == message_id).values(sent_at=utcnow()))
            sent += 1
    finally:
        _close(smtp)
    return sent


def _claim(message_id):
    now = utcnow()
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(MailMessage)
            .where(
                MailMessage.id == message_id,
                MailMessage.sent_at.is_(None),
                or_(MailMessage.claimed_at.is_(None), MailMessage.claimed_at < now - LEASE),
            )
            .values(claimed_at=now, attempts=MailMessage.attempts + 1)
        )
        if claimed.rowcount != 1:
            return None
        return conn.execute(select(MailMessage.__table__).where(MailMessage.id == message_id)).one()


def _release(message_id, error):
    with db.engine.begin() as conn:
        conn.execute(
            update(MailMessage).where(MailMessage.id == message_id).values(claimed_at=None, last_error=error[:2000])
        )


def _build(config, row) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config["MAIL_FROM"]
    msg["Reply-To"] = config["MAIL_REPLY_TO"]
    msg["To"] = row.to
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or None)
    for name, value in (row.headers or {}).items():
        msg[name] = value
    msg.set_content(row.text)
    msg.add_alternative(row.html, subtype="html")
    for item in row.attachments or ():
        rest = item["content_type"].partition("/")[2]  # text/…: the attachments are text
        subtype, *params = [part.strip() for part in rest.split(";")]
        extra = dict(param.split("=", 1) for param in params if "=" in param)
        msg.add_attachment(item["text"], subtype=subtype, filename=item["filename"], params=extra)
    return msg


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def _close(smtp) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _log_unsent(message_id) -> None:
    with db.engine.connect() as conn:
        row = conn.execute(select(MailMessage.__table__).where(MailMessage.id == message_id)).one_or_none()
    if row is not None:
        log.info("MAIL_SERVER is not set; mail %s waits in the outbox.\nTo: %s\nSubject: %s\n\n%s",
                 row.id, row.to, row.subject, row.text)
