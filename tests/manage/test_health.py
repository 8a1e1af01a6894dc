"""The health dashboard's figures, each from a small hand-built community whose expected values are worked out
here; staff activity never counts; the console is for managers and admins; the page's query count is bounded."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from community.accounts.models import User, Visit
from community.advocates.models import Programme
from community.core.timeutil import UTC, utcnow
from community.events import attendance, rsvps, surveys
from community.extensions import db
from community.forums import services as forums
from community.forums.models import Post, Topic
from community.manage import health
from tests.events.test_attendance import past
from tests.factories import make_category, make_event, make_member, make_reply, make_topic

NOW = utcnow()


def asked(author, days_ago, category, title):
    topic = make_topic(author, category, title=title)
    when = NOW - timedelta(days=days_ago)
    topic.created_at = when
    db.session.execute(update(Post).where(Post.topic_id == topic.id, Post.number == 1).values(created_at=when))
    return topic


def replied(topic, author, hours_after):
    post = make_reply(topic, author)
    post.created_at = topic.created_at + timedelta(hours=hours_after)
    return post


def solved(topic, post, hours_after):
    forums.accept_answer(topic, post, topic.author)
    topic.solved_at = topic.created_at + timedelta(hours=hours_after)


@pytest.fixture
def forum(app):
    """Four members' questions 17-20 days ago (this month):
    - T1: a member replies after 2 h, accepted after 24 h;
    - T2: a member replies after 10 h; a moderator's later reply is accepted after 15 days (not within 14);
    - T3: first reply by a moderator after 30 h; a member's reply accepted after 72 h;
    - T4: no reply.
    A moderator's own question (replied to in 1 minute) must change nothing."""
    questions = make_category("questions")
    askers = [make_member(f"asker{n}") for n in range(4)]
    helper, other, moderator = make_member("helper"), make_member("other"), make_member("kenji", role="moderator")
    t1, t2, t3, t4 = (asked(askers[n], 20 - n, questions, f"Question number {n + 1} about scheduled exports")
                      for n in range(4))
    solved(t1, replied(t1, helper, 2), 24)
    replied(t2, other, 10)
    solved(t2, replied(t2, moderator, 300), 360)
    replied(t3, moderator, 30)
    solved(t3, replied(t3, other, 40), 72)
    staff_question = asked(moderator, 10, questions, "A moderator asks about the export limits too")
    replied(staff_question, helper, 0.02)
    db.session.add(Programme(user_id=helper.id, stage="advocate"))
    db.session.commit()
    return {"t4": t4, "helper": helper}


def figure(found, key):
    return next(f for f in found.figures if f.key == key).current


def test_responsiveness_from_a_hand_built_month(forum):
    found = health.compute("month", NOW)
    assert figure(found, "first_response_median") == health.Point(10, 3)  # 2 h, 10 h, 30 h
    p90 = figure(found, "first_response_p90")  # inclusive: position 0.9 × (3 − 1) = 1.8 → 10 + 0.8 × (30 − 10)
    assert (round(p90.value, 6), p90.n) == (26, 3)
    assert figure(found, "answered_24h") == health.Point(50, 4)  # T1, T2 of T1-T4
    peers = figure(found, "peer_first_response")  # T1, T2 by members; T3 by a moderator
    assert (round(peers.value, 1), peers.n) == (66.7, 3)
    assert [name for name, count in found.backlog if count] == ["over 7 days"]
    assert [row.id for row in found.oldest] == [forum["t4"].id]


def test_resolution_from_a_hand_built_month(forum):
    found = health.compute("month", NOW)
    assert figure(found, "solved_rate") == health.Point(50, 4)  # T1 and T3 within 14 days; T2 after 15
    assert figure(found, "solution_median") == health.Point(72, 3)  # 24 h, 72 h, 360 h
    p90 = figure(found, "solution_p90")  # 72 + 0.8 × (360 − 72)
    assert (round(p90.value, 6), p90.n) == (302.4, 3)
    peer = figure(found, "peer_solutions")  # helper and other are members; the moderator is staff
    assert (round(peer.value, 1), peer.n) == (66.7, 3)
    advocate = figure(found, "advocate_solutions")
    assert (round(advocate.value, 1), advocate.n) == (33.3, 3)
    assert figure(found, "concentration") == health.Point(1, 2)  # one of the two members gave half


def test_answer_concentration_counts_the_fewest_members_for_half():
    assert health.fewest_for_half([5, 1, 1, 1, 1, 1]) == 1  # 5 of 10
    assert health.fewest_for_half([3, 3, 2, 2]) == 2  # 6 of 10
    assert health.fewest_for_half([1] * 7) == 4  # 4 of 7 is the first to reach half
    assert health.fewest_for_half([]) == 0


def test_membership_figures_count_members_only(app):
    """The month before this one (30-60 days ago): starter posts at 50 and 40 days, helpful replies at 49.9 days
    (its first post) and 45 days, once posts once at 35 days; a moderator posts at 40 days."""
    questions = make_category("questions")
    starter, helpful, once = make_member("starter"), make_member("helpful"), make_member("once")
    moderator = make_member("kenji", role="moderator")
    first = asked(starter, 50, questions, "My very first question about the exports")
    asked(starter, 40, questions, "My second question, ten days after the first")
    replied(first, helpful, 2)
    asked(helpful, 45, questions, "A question of my own, after helping")
    asked(once, 35, questions, "One question and then silence")
    asked(moderator, 40, questions, "A moderator's question does not count")
    db.session.commit()
    found = health.compute("month", NOW)
    before = {f.key: f.previous for f in found.figures}
    assert before["new_contributors"] == health.Point(3, 3)
    assert before["active_contributors"] == health.Point(3, 3)
    share = before["second_contribution"]  # starter (10 days) and helpful (5 days) posted again; once did not
    assert (round(share.value, 1), share.n) == (66.7, 3)


def test_monthly_cohort_retention(app):
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    joined = [make_member(f"aug{n}") for n in range(4)]
    staff = make_member("kenji", role="moderator")
    for user in (*joined, staff):
        user.created_at = datetime(2026, 8, 10, tzinfo=UTC)
    for user in joined[:2]:
        db.session.add(Visit(user_id=user.id, day=date(2026, 9, 3)))  # M+1
    db.session.add(Visit(user_id=joined[0].id, day=date(2026, 11, 20)))  # M+3
    db.session.add(Visit(user_id=staff.id, day=date(2026, 9, 3)))
    db.session.commit()
    cohorts = {month: (count, one, three) for month, count, one, three in health._cohorts(now)}
    assert cohorts[date(2026, 8, 1)] == (4, 50, 25)
    assert cohorts[date(2026, 11, 1)] == (0, None, None)
    assert list(cohorts) == [date(2026, m, 1) for m in range(6, 12)]


def test_nps_always_comes_with_its_margin_of_error():
    # 5 promoters, 3 passives, 2 detractors: pP .5, pD .2 → 1.96 × sqrt((.7 − .09) / 10) × 100
    assert round(health.nps_margin(5, 2, 10), 1) == 48.4
    assert health.nps_margin(0, 0, 0) is None


def test_event_figures_and_scores(app):
    manager = make_member("maria", role="manager")
    people = [make_member(f"guest{n}") for n in range(4)]
    event = make_event(manager, capacity=10, days=2)
    places = [rsvps.rsvp(event, person) for person in people]
    rsvps.rsvp(event, make_member("kenji", role="moderator"))  # staff: not counted
    past(event)
    for place in places[:3]:
        attendance.check_in(place, manager)
    db.session.commit()
    for person, score in zip(people[:3], (10, 8, 3), strict=True):
        surveys.answer(event, person, score)
    db.session.commit()
    found = health.compute("month", utcnow())
    assert figure(found, "rsvps") == health.Point(4, 1)
    assert figure(found, "attendance") == health.Point(75, 4)
    assert figure(found, "no_shows") == health.Point(25, 4)
    assert figure(found, "repeat_attendance") == health.Point(0, 3)
    assert figure(found, "member_led") == health.Point(0, 1)  # hosted by the manager
    (row,) = found.event_scores
    assert row[1:6] == (1, 1, 1, 3, 0)


def test_the_dashboard_is_for_managers_and_admins(client, login):
    assert client.get("/manage/health").status_code == 302  # sign in first
    for name, role in (("lena", "member"), ("kenji", "moderator")):
        make_member(name, role=role)
        login(name)
        assert client.get("/manage/health").status_code == 403
    make_member("maria", role="manager")
    login("maria")
    page = client.get("/manage/health?period=quarter")
    assert page.status_code == 200 and "Time to first response" in page.get_data(as_text=True)
    assert client.get("/manage/health?period=decade").status_code == 400


def test_the_dashboard_issues_the_same_queries_for_6_or_60_days_of_data(client, login, count_queries):
    make_member("maria", role="manager")
    questions = make_category("questions")
    members = [make_member(f"m{n:02d}x") for n in range(6)]

    def days(count, offset):
        for day in range(count):
            topic = asked(members[day % 6], offset + day, questions, f"Question asked {offset + day} days ago here")
            forums.accept_answer(topic, replied(topic, members[(day + 1) % 6], 3), topic.author)
        db.session.commit()

    days(6, 1)
    login("maria")
    client.get("/manage/health")
    with count_queries() as small:
        assert client.get("/manage/health").status_code == 200
    days(54, 7)
    with count_queries() as large:
        assert client.get("/manage/health").status_code == 200
    assert large.count == small.count, large.statements[small.count:]
    assert small.count <= 45
    assert db.session.query(Topic).count() == 60 and db.session.query(User).count() == 7
