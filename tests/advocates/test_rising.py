"""Rising stars: the spec's worked example to the decimal, the gates, the ring detector, managers' actions."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import Visit
from community.advocates import recruiting, rising
from community.advocates.models import StarAction
from community.events import attendance, rsvps
from community.extensions import db
from community.forums import services as forums
from tests.advocates.test_ledger import seasoned
from tests.factories import make_event, make_member, make_reply, make_topic


def active(member, days):
    for number in range(days):
        db.session.add(Visit(user_id=member.id, day=date.today() - timedelta(days=number)))
    db.session.commit()


def answers(helper, askers_and_counts):
    """`helper` answers questions of these askers; each answer is accepted. Returns the answers."""
    made = []
    for asker, count in askers_and_counts:
        for _ in range(count):
            topic = make_topic(asker)
            reply = make_reply(topic, helper)
            forums.accept_answer(topic, reply, asker)
            made.append(reply)
    db.session.commit()
    return made


def replies(member, count, topic=None):
    topic = topic or make_topic(seasoned(None))
    return [make_reply(topic, member, body=f"Reply number {n} with a useful amount of text.") for n in range(count)]


def thank(posts, giver, times):
    for post in posts[:times]:
        forums.thank(post, giver)
    db.session.commit()


def a_star(username):
    """A member just past the gates: 2 accepted answers for 2 people, thanked by 3 members, active 5 days."""
    member = make_member(username)
    accepted = answers(member, [(seasoned(f"{username}-asker1"), 1), (seasoned(f"{username}-asker2"), 1)])
    for n in range(3):
        thank(accepted, seasoned(f"{username}-giver{n}"), 1)
    active(member, 5)
    return member


def ana_and_ben():
    """The spec's worked example."""
    ana = make_member("ana")
    x, y, z = seasoned("asker_x"), seasoned("asker_y"), seasoned("asker_z")
    accepted = answers(ana, [(x, 2), (y, 1), (z, 1)])  # 4 accepted answers for 3 askers
    posts = accepted + replies(ana, 8)  # 12 replies in all
    givers = [seasoned(f"giver{n}") for n in range(6)]
    for giver, times in zip(givers, (3, 2, 1, 1, 1, 1), strict=True):  # 9 thanks from 6 members; caps leave 8
        thank(posts[-times:] if times == 3 else posts[:times], giver, times)
    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=20)
    attendance.check_in(rsvps.rsvp(event, ana), organiser)  # one meetup attended
    db.session.commit()
    active(ana, 8)
    ben = make_member("ben")
    friend1, friend2 = seasoned("friend1"), seasoned("friend2")
    ben_posts = replies(ben, 60)
    thank(ben_posts, friend1, 15)  # 30 thanks, all from 2 friends
    thank(ben_posts[15:], friend2, 15)
    friend_posts = {friend: replies(friend, 5) for friend in (friend1, friend2)}
    thank(friend_posts[friend1], ben, 5)
    thank(friend_posts[friend2], ben, 5)
    thank(friend_posts[friend2], friend1, 5)
    thank(friend_posts[friend1], friend2, 5)
    active(ben, 20)
    return ana, ben, (friend1, friend2)


def test_the_worked_example_reproduces_helpful_efficiency_and_rising_exactly(app):
    ana, ben, friends = ana_and_ben()
    found, rings = rising.stars(limit=None)
    assert [star.member.id for star in found] == [ana.id]
    star = found[0]
    assert (star.accepted, star.askers, star.thanks, star.givers, star.events, star.replies, star.days) == (
        4, 3, 8.0, 6, 2.0, 12, 8)
    assert star.helpful == 58
    assert round(star.efficiency, 1) == 3.3 and star.efficiency == pytest.approx(56 / 17)
    assert star.rising == 58
    assert star.evidence() == "4 accepted answers for 3 people, thanks from 6 members, attended 1 event, active 8 days"
    assert {ben.id, *(friend.id for friend in friends)} in rings  # Ben's circle is flagged as a group of three


def test_three_accounts_thanking_each_other_never_reach_the_queue_and_are_flagged(app):
    ring = [make_member(f"ring{n}") for n in range(3)]
    outsiders = [seasoned(f"out{n}") for n in range(2)]
    for member in ring:  # each would pass the gates on its own: 2 accepted answers for 2 askers, active 5 days
        answers(member, [(outsiders[0], 1), (outsiders[1], 1)])
        active(member, 5)
    posts = {member: replies(member, 6) for member in ring}
    for giver in ring:
        for recipient in ring:
            if giver is not recipient:
                thank(posts[recipient], giver, 6)
    fan = seasoned("fan")
    for member in ring:
        thank(posts[member], fan, 1)
    found, rings = rising.stars(limit=None)
    assert found == []
    assert {member.id for member in ring} in rings


def test_the_gates_keep_out_thin_evidence_and_staff(app):
    helper = make_member("helper")
    asker = seasoned("asker")
    answers(helper, [(asker, 3)])  # 3 accepted answers, but all for one person
    for n in range(3):
        thank(replies(helper, 1), seasoned(f"giver{n}x"), 1)
    active(helper, 5)
    moderator = make_member("mod", role="moderator")
    answers(moderator, [(asker, 2), (seasoned("other"), 2)])
    assert rising.stars()[0] == []


def test_an_upheld_flag_keeps_a_member_off_the_queue_for_90_days(app):
    from community.forums import flags

    helper = a_star("helper")
    assert [s.member.username for s in rising.stars()[0]] == ["helper"]
    spam = make_reply(make_topic(seasoned("asker3")), helper, body="Buy followers at example dot com, cheap today.")
    flags.flag_post(spam, seasoned("flagger"), "spam")
    flags.resolve(spam, make_member("mod", role="moderator"), "agree", "Spam")
    db.session.commit()
    assert rising.stars()[0] == []


def test_managers_act_on_a_star_each_action_logged_and_invitations_mailed(client, login, smtp):
    helper = a_star("helper")
    make_member("maria", role="manager")
    login("maria")
    page = client.get("/advocates/rising").get_data(as_text=True)
    assert "2 accepted answers for 2 people, thanks from 3 members, active 5 days" in page
    refused = client.submit("/advocates/rising/helper/invite", {"message": "hi"}, page="/advocates/rising")
    assert refused.status_code == 400 and "Write a sentence" in refused.get_data(as_text=True)
    done = client.submit("/advocates/rising/helper/invite", {
        "message": "Your answers on SSO helped four teams this month. Would you join our advocates?"},
        page="/advocates/rising", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "It is in the log." in html and "Your answers on SSO helped four teams" in html
    assert "2 accepted answers for 2 people, thanks from 3 members, active 5 days" not in html  # off the queue
    row = db.session.scalar(select(StarAction))
    assert (row.action, row.member_id) == ("invite", helper.id)
    mail = smtp.wait_for(1, timeout=15)[-1]
    assert mail["To"] == "helper@example.com" and "advocates" in mail["Subject"]
    assert "Your answers on SSO helped four teams" in mail.get_body(("plain",)).get_content()


def test_not_now_hides_a_star_for_60_days(app):
    helper = a_star("helper")
    row = recruiting.act(helper, "snooze", make_member("maria", role="manager"), "Ask again after the launch")
    db.session.commit()
    assert rising.stars()[0] == []
    assert (row.until.date() - date.today()).days == 60
    row.until = row.created_at - timedelta(days=1)  # as if 60 days had passed
    db.session.commit()
    assert [s.member.username for s in rising.stars()[0]] == ["helper"]


def test_only_managers_see_rising_stars(client, login):
    make_member("lena")
    make_member("kenji", role="moderator")
    for name in ("lena", "kenji"):
        login(name)
        assert client.get("/advocates/rising").status_code == 403
        assert client.submit("/advocates/rising/lena/dismiss", {"message": "Not a fit for now"},
                             page="/advocates/").status_code == 403


def test_the_queue_issues_the_same_queries_for_few_or_many_candidates(client, login, count_queries):
    make_member("maria", role="manager")
    login("maria")
    askers = [seasoned(f"asker{n}") for n in range(2)]
    givers = [seasoned(f"giver{n}") for n in range(3)]

    def grow(n):
        for _ in range(n):
            member = make_member(mail="none")
            accepted = answers(member, [(askers[0], 1), (askers[1], 1)])
            for giver in givers:
                thank(accepted, giver, 1)
            active(member, 4)

    def count():
        with count_queries() as counter:
            assert client.get("/advocates/rising").status_code == 200
        return counter.count

    grow(2)
    few = count()
    grow(8)
    assert count() == few and few <= 14
