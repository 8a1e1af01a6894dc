"""Leaderboards: by period and category, never staff, and members may leave them."""

from datetime import timedelta

from sqlalchemy import update

from community.advocates import leaderboards
from community.advocates.models import LedgerEntry
from community.extensions import db
from community.forums import services as forums
from tests.advocates.test_ledger import seasoned
from tests.factories import make_category, make_member, make_reply, make_topic


def accepted(helper, category=None, asker=None):
    asker = asker or seasoned(None)
    topic = make_topic(asker, category)
    reply = make_reply(topic, helper)
    forums.accept_answer(topic, reply, asker)
    db.session.commit()
    return reply


def names(lines):
    return [(line.member.username, line.points) for line in lines]


def test_the_last_30_days_let_a_newcomer_top_the_board_while_all_time_remembers(app):
    veteran, newcomer = make_member("veteran"), make_member("newcomer")
    for _ in range(3):
        accepted(veteran)
    db.session.execute(update(LedgerEntry).where(LedgerEntry.member_id == veteran.id)
                       .values(created_at=LedgerEntry.created_at - timedelta(days=200)))
    db.session.commit()
    accepted(newcomer)
    assert names(leaderboards.board("month")) == [("newcomer", 15)]
    assert names(leaderboards.board("all")) == [("veteran", 45), ("newcomer", 15)]


def test_a_category_board_counts_points_from_its_posts_and_their_reversals(app):
    sso, billing = make_category("sso", kind="questions"), make_category("billing", kind="questions")
    ana, ben = make_member("ana"), make_member("ben")
    accepted(ana, sso)
    reply = accepted(ben, billing)
    accepted(ben, sso)
    assert names(leaderboards.board("all", sso)) == [("ana", 15), ("ben", 15)]
    forums.unaccept_answer(reply.topic, reply.topic.author)
    db.session.commit()
    assert names(leaderboards.board("all", billing)) == []


def test_staff_are_never_listed_and_members_may_leave_the_boards(client, login):
    moderator, lena = make_member("kenji", role="moderator"), make_member("lena")
    accepted(moderator)
    accepted(lena)
    assert names(leaderboards.board("all")) == [("lena", 15)]
    login("lena")
    response = client.submit("/advocates/leaderboard/visibility", {"hide": "1"}, page="/advocates/leaderboard",
                             follow_redirects=True)
    assert "You are no longer listed" in response.get_data(as_text=True)
    assert names(leaderboards.board("all")) == []
    assert client.get("/advocates/leaderboard?period=nope").status_code == 404


def test_the_leaderboard_issues_the_same_queries_for_5_or_50_members(client, count_queries):
    asker = seasoned("asker")

    def grow(n):
        for _ in range(n):
            accepted(make_member(mail="none"), asker=asker)

    def count():
        with count_queries() as counter:
            assert client.get("/advocates/leaderboard?period=all").status_code == 200
        return counter.count

    grow(5)
    few = count()
    grow(45)
    assert count() == few and few <= 5
