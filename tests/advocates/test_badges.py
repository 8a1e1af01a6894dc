"""Badges are granted when their rule holds, revoked when the basis is taken back; manual ones need a reason."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.advocates import badges
from community.advocates.models import BadgeGrant
from community.core.errors import Invalid
from community.extensions import db
from community.forums import services as forums
from community.forums.models import Topic
from tests.advocates.test_ledger import seasoned
from tests.advocates.test_rising import answers
from tests.checkers import nu_errors
from tests.factories import make_member


def holding(member):
    db.session.expire_all()
    return sorted(grant.badge for grant in badges.held(member))


def test_the_first_accepted_answer_badge_comes_and_goes_with_its_basis(app):
    helper = make_member("helper")
    (reply,) = answers(helper, [(seasoned("asker"), 1)])
    assert "first-answer" in holding(helper)
    forums.unaccept_answer(reply.topic, reply.topic.author)
    db.session.commit()
    assert "first-answer" not in holding(helper)
    revoked = db.session.scalar(select(BadgeGrant).where(BadgeGrant.badge == "first-answer"))
    assert revoked.revoked_at is not None  # kept, as history


def test_unsung_helper_needs_five_unthanked_accepted_answers_a_quarter_of_all(app):
    helper = make_member("helper")
    made = answers(helper, [(seasoned(f"asker{n}x"), 1) for n in range(5)])
    assert "unsung-helper" in holding(helper)
    forums.thank(made[0], seasoned("fan"))
    db.session.commit()
    assert "unsung-helper" not in holding(helper)  # four unthanked now


def test_revival_is_an_accepted_answer_on_a_question_older_than_60_days(app):
    from tests.factories import make_reply, make_topic

    asker, helper = seasoned("asker"), make_member("helper")
    topic = make_topic(asker)
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(created_at=topic.created_at - timedelta(
        days=61)))
    db.session.commit()
    reply = make_reply(topic, helper)
    forums.accept_answer(topic, reply, asker)
    db.session.commit()
    assert "revival" in holding(helper)


def test_a_manual_badge_needs_a_reason_and_shows_it(client, login):
    manager, member = make_member("maria", role="manager"), make_member("lena")
    with pytest.raises(Invalid, match="Say why"):
        badges.grant_manually(member, "Beta tester", "thanks", manager)
    login("maria")
    done = client.submit("/advocates/badges/grant", {"username": "lena", "name": "Beta tester",
                                                     "reason": "Tested the new connector for three weeks"},
                         follow_redirects=True)
    assert "lena has the badge “Beta tester”" in done.get_data(as_text=True)
    page = client.get("/advocates/badges/manual:beta-tester").get_data(as_text=True)
    assert "Tested the new connector for three weeks" in page
    login("lena")
    assert client.get("/advocates/badges/grant").status_code == 403


def test_staff_never_get_automatic_badges(app):
    moderator = make_member("kenji", role="moderator")
    answers(moderator, [(seasoned("asker"), 1)])
    assert holding(moderator) == []


def test_badge_pages_show_rules_progress_and_holders_and_are_valid(client, login):
    helper = make_member("helper")
    answers(helper, [(seasoned("asker"), 1)])
    login("helper")
    pages = {"badges": client.get("/advocates/badges").get_data(as_text=True),
             "badge": client.get("/advocates/badges/first-answer").get_data(as_text=True),
             "empty badge": client.get("/advocates/badges/answers-150").get_data(as_text=True),
             "ledger with badges": client.get("/advocates/u/helper").get_data(as_text=True)}
    assert "Your progress: 1 of 10" in pages["badges"] and "You have it" in pages["badges"]
    assert "helper" in pages["badge"]
    assert client.get("/advocates/badges/nonsense").status_code == 404
    make_member("maria", role="manager")
    login("maria")
    pages["grant"] = client.get("/advocates/badges/grant").get_data(as_text=True)
    errors = nu_errors(pages)
    assert errors == [], "\n".join(errors)
