"""Levels: promotion at once with the right "because…", demotion only at the quarterly review and never within 30
days of a promotion; impact decays by 0.9 a month; staff have none."""

from datetime import timedelta

from sqlalchemy import update

from community.advocates import levels
from community.advocates.models import Level
from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import services as forums
from community.forums.models import Post
from tests.advocates.test_ledger import seasoned
from tests.advocates.test_rising import answers
from tests.factories import make_event, make_member, make_reply, make_topic


def level_of(member):
    db.session.expire_all()
    row = db.session.get(Level, member.id)
    return (row.level, row.because) if row else None


def test_replying_makes_a_member_participating_at_once(app):
    member = make_member("lena")
    make_reply(make_topic(seasoned("asker")), member)
    assert level_of(member) == (3, "because you replied")


def test_three_accepted_answers_for_three_people_make_a_member_contributing(app):
    member = make_member("lena")
    answers(member, [(seasoned("asker1"), 1), (seasoned("asker2"), 1)])
    assert level_of(member)[0] == 3
    answers(member, [(seasoned("asker3"), 1)])
    assert level_of(member) == (2, "because 3 of your answers were accepted, for 3 people")


def test_co_hosting_an_event_that_took_place_makes_a_member_leading(app):
    from community.events import attendance, rsvps

    host = make_member("host")
    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=10, cohosts=[host])
    for n in range(3):
        attendance.check_in(rsvps.rsvp(event, make_member(f"guest{n}x")), organiser)
    event.starts_at, event.ends_at = event.starts_at - timedelta(days=30), event.ends_at - timedelta(days=30)
    attendance.close(event)
    db.session.commit()
    assert level_of(host) == (1, "because you co-hosted an event that took place")
    assert level_of(organiser) is None  # staff have no level


def test_demotion_waits_for_the_review_and_never_comes_within_30_days(app, runner):
    member = make_member("lena")
    made = answers(member, [(seasoned("asker1"), 1), (seasoned("asker2"), 1), (seasoned("asker3"), 1)])
    assert level_of(member)[0] == 2
    for reply in made:  # the basis goes away
        forums.unaccept_answer(reply.topic, reply.topic.author)
    db.session.commit()
    levels.refresh(member)
    db.session.commit()
    assert level_of(member)[0] == 2  # no demotion between reviews
    result = runner.invoke(args=["advocates", "review-levels"])
    assert "0 moved down" in result.output and level_of(member)[0] == 2  # promoted less than 30 days ago
    db.session.execute(update(Level).where(Level.user_id == member.id)
                       .values(promoted_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    result = runner.invoke(args=["advocates", "review-levels"])
    assert "1 moved down" in result.output
    assert level_of(member) == (3, "because you replied")


def test_impact_decays_by_a_tenth_a_month_and_forgets_after_a_year(app):
    member = make_member("lena")
    topic = make_topic(seasoned("asker"))
    replies = [make_reply(topic, member, body=f"Reply number {n} with enough text here.") for n in range(3)]
    ages = (0, 65, 400)  # days: this month, two whole months ago, over a year ago
    for reply, days in zip(replies, ages, strict=True):
        db.session.execute(update(Post).where(Post.id == reply.id)
                           .values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    found = levels.activity(member)
    assert sorted(kind for kind, _ in found.items) == ["replied", "replied"]
    assert levels.impact(found) == round(3 + 3 * 0.9 ** 2, 1)


def test_the_ledger_page_says_level_and_because_and_shows_impact_only_to_the_member(client, login):
    member = make_member("lena")
    make_reply(make_topic(seasoned("asker")), member)
    make_member("other")
    login("other")
    page = client.get("/advocates/u/lena").get_data(as_text=True)
    assert "Level 3: <strong>Participating</strong>, because you replied." in page and "Impact" not in page
    login("lena")
    assert "Impact 3 (only you and the community team see this number" in client.get("/advocates/u/lena"
                                                                                       ).get_data(as_text=True)
