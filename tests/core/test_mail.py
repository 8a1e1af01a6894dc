"""Mail goes through the outbox: sent after commit, never on rollback, from a named address with a Reply-To."""

import pytest
from sqlalchemy import func, select

from community import create_app
from community.core import mail
from community.core.db import write_intent
from community.core.models import MailMessage
from community.extensions import db


def test_verification_mail_reaches_the_sink_after_commit_with_reply_to(client, smtp):
    client.submit("/account/register", {"username": "newbie", "email": "newbie@example.com",
                                        "password": "a long enough secret", "time_zone": "UTC"})
    [message] = smtp.wait_for(1)
    assert message["From"] == "Harbor Community <community@harbor.example>"
    assert message["Reply-To"] == "Harbor Community Team <team@harbor.example>"
    assert "noreply" not in (message["From"] + message["Reply-To"]).lower().replace("-", "")
    assert message["Subject"] == "Confirm your address for Harbor Community"
    assert message.get_body(("plain",)).get_content().startswith("Hi newbie,")
    assert "Confirm my address" in message.get_body(("html",)).get_content()
    assert db.session.scalar(select(MailMessage.sent_at)) is not None


def test_nothing_is_sent_before_the_commit_and_nothing_on_rollback(app, smtp):
    with write_intent():
        mail.queue("someone@example.com", "Hello", "accounts/verify", category="test",
                   user={"name": "Someone"}, link="https://example.com/x")
        assert smtp.wait_for(1, timeout=0.3) == []
        db.session.rollback()
    assert smtp.wait_for(1, timeout=0.5) == []
    assert db.session.scalar(select(func.count(MailMessage.id))) == 0


def test_mail_queued_then_rolled_back_is_never_sent_but_later_mail_is(app, smtp):
    with write_intent():
        mail.queue("first@example.com", "Hello", "accounts/verify", category="test", user={"name": "A"}, link="l")
        db.session.rollback()
        mail.queue("second@example.com", "Hello", "accounts/verify", category="test", user={"name": "B"}, link="l")
        db.session.commit()
    assert [m["To"] for m in smtp.wait_for(2, timeout=1)] == ["second@example.com"]


def test_releasing_a_savepoint_is_not_the_commit(app, smtp):
    with write_intent():
        mail.queue("someone@example.com", "Hello", "accounts/verify", category="test", user={"name": "S"}, link="l")
        with db.session.begin_nested():
            db.session.execute(select(1))
        assert smtp.wait_for(1, timeout=0.3) == []
        db.session.commit()
    assert [m["To"] for m in smtp.wait_for(1)] == ["someone@example.com"]
    assert db.session.scalar(select(MailMessage.sent_at)) is not None


def test_commit_sends_the_queued_mail(app, smtp):
    with write_intent():
        mail.queue("someone@example.com", "Hello", "accounts/verify", category="test",
                   user={"name": "Someone"}, link="https://example.com/x", unsubscribe_url="https://example.com/u")
        db.session.commit()
    [message] = smtp.wait_for(1)
    assert message["To"] == "someone@example.com"
    assert message["List-Unsubscribe"] == "<https://example.com/u>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_request_that_fails_after_queueing_sends_nothing(app, client, smtp):
    @app.route("/boom", methods=["POST"])
    def boom():
        mail.queue("x@example.com", "Hello", "accounts/verify", category="test", user={"name": "X"}, link="l")
        raise RuntimeError("the request fails after the mail was queued")

    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/boom").status_code == 500
    assert smtp.wait_for(1, timeout=0.5) == []
    assert db.session.scalar(select(func.count(MailMessage.id))) == 0


def test_a_noreply_sender_is_refused_at_start_up(database_url):
    for address in ("Acme <noreply@acme.example>", "no-reply@acme.example"):
        with pytest.raises(ValueError, match="never a noreply address"):
            create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "MAIL_FROM": address})
