"""The one ledger, fed by the forums' and events' signals: what earns, what earns nothing, what is taken back."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.advocates import ledger, queries, receivers, rules
from community.advocates.models import LedgerEntry
from community.core.errors import DomainError, Invalid
from community.events import attendance, rsvps
from community.extensions import db
from community.forums import moderation
from community.forums import services as forums
from tests.factories import make_event, make_member, make_reply, make_topic


def points(member) -> float:
    return queries.standing(member).points


def kinds(member) -> list[tuple[str, float]]:
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == member.id).order_by(LedgerEntry.id))
    return [(row.kind, row.points) for row in rows]


def seasoned(name, **kwargs):
    """A member whose thanks count fully: older than 14 days, with 3 posts."""
    member = make_member(name, **kwargs)
    member.created_at -= timedelta(days=30)
    db.session.commit()
    topic = make_topic(member)
    for _ in range(2):
        make_reply(topic, member)
    return member


def test_an_accepted_answer_earns_15_and_a_double_accept_awards_once(app):
    asker, helper = seasoned("asker"), make_member("helper")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    forums.accept_answer(topic, answer, asker)
    db.session.commit()
    assert ledger.award(helper, "accepted_answer", 15, "post", answer.id, giver=asker) is None  # the double click
    db.session.commit()
    assert kinds(helper) == [("accepted_answer", 15)]
    assert points(helper) == 15


def test_self_accept_and_self_thanks_earn_nothing(app):
    asker = make_member("asker")
    topic = make_topic(asker)
    own = make_reply(topic, asker)
    forums.accept_answer(topic, own, asker)
    with pytest.raises(DomainError):
        forums.thank(own, asker)  # the forums refuse it; and were the signal sent, the receiver gives nothing:
    receivers.thanked(own, by=asker, thanks=None)
    db.session.commit()
    assert kinds(asker) == []


def test_un_accepting_and_deleting_take_the_points_back_with_new_rows(app):
    asker, helper, moderator = seasoned("asker"), make_member("helper"), make_member("mod", role="moderator")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    forums.accept_answer(topic, answer, asker)
    db.session.commit()
    forums.unaccept_answer(topic, asker)
    db.session.commit()
    assert kinds(helper) == [("accepted_answer", 15), ("reversal", -15)] and points(helper) == 0
    forums.accept_answer(topic, answer, asker)  # accepted again: the next occurrence of the award
    db.session.commit()
    assert points(helper) == 15
    moderation.delete_post(answer, moderator, "Wrong forum")
    db.session.commit()
    assert kinds(helper)[-1] == ("reversal", -15) and points(helper) == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.points > 0)) == 2


def test_thanks_count_by_the_givers_weight(app):
    helper = make_member("helper")
    topic = make_topic(seasoned("asker"))
    reply = make_reply(topic, helper)
    newcomer, regular, moderator = make_member("newbie"), seasoned("regular"), make_member("mod", role="moderator")
    for giver in (newcomer, regular, moderator):
        forums.thank(reply, giver)
    db.session.commit()
    assert sorted(p for k, p in kinds(helper) if k == "thanks") == [0.5, 2.0, 3.0]
    assert points(helper) == 5.5
    forums.unthank(reply, regular)
    db.session.commit()
    assert points(helper) == 3.5 and kinds(helper)[-1] == ("reversal", -2.0)


def test_at_most_two_thanks_count_per_person_in_30_days(app):
    helper, fan = make_member("helper"), seasoned("fan")
    topic = make_topic(seasoned("asker"))
    for number in range(3):
        forums.thank(make_reply(topic, helper, body=f"Answer number {number}, with a long enough text."), fan)
    db.session.commit()
    counted = [p for k, p in kinds(helper) if k == "thanks"]
    assert counted == [2.0, 2.0, 0]
    note = db.session.scalar(select(LedgerEntry.note).where(LedgerEntry.points == 0))
    assert "at most 2 thanks from one person" in note


def test_thanks_earn_at_most_40_points_a_day(app):
    helper = make_member("helper")
    topic = make_topic(seasoned("asker"))
    replies = [make_reply(topic, helper, body=f"Answer number {n}, with a long enough text.") for n in range(12)]
    fans = [make_member(f"mod{n}", role="moderator") for n in range(14)]  # 3 points each
    for fan in fans:
        for reply in replies[:2]:
            forums.thank(reply, fan)
    db.session.commit()
    assert points(helper) == rules.THANKS_POINTS_PER_DAY
    assert any("at most 40 points from thanks a day" in row.note for row in
               db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == helper.id)))


def test_staff_earn_nothing(app):
    moderator = make_member("mod", role="moderator")
    asker = make_member("asker")
    topic = make_topic(asker)
    answer = make_reply(topic, moderator)
    forums.accept_answer(topic, answer, asker)
    forums.thank(answer, seasoned("fan"))
    db.session.commit()
    assert kinds(moderator) == []


def test_the_first_answer_to_a_newcomers_first_question_earns_the_welcome_bonus_once(app):
    newcomer, helper = make_member("newcomer"), make_member("helper")
    topic = make_topic(newcomer)
    first = make_reply(topic, helper)
    forums.thank(first, newcomer)
    forums.accept_answer(topic, first, newcomer)
    db.session.commit()
    assert sorted(kinds(helper)) == [("accepted_answer", 15), ("thanks", 0.5), ("welcome", 5)]
    later = make_reply(topic, make_member("late"))  # not the first answer: no bonus
    forums.accept_answer(topic, later, newcomer)
    db.session.commit()
    assert [k for k, _ in kinds(db.session.get(type(newcomer), later.author_id))] == ["accepted_answer"]
    forums.unthank(first, newcomer)
    db.session.commit()
    assert points(helper) == 0  # neither accepted nor thanked any more: the bonus is taken back too


def test_a_check_in_earns_2_and_hosting_an_event_that_took_place_earns_12(app):
    host = make_member("host")
    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=10, cohosts=[host])
    people = [make_member(f"guest{n}") for n in range(3)]
    for person in people:
        attendance.check_in(rsvps.rsvp(event, person), organiser)
    db.session.commit()
    assert kinds(people[0]) == [("attended", 2)]
    event.starts_at, event.ends_at = event.starts_at - timedelta(days=30), event.ends_at - timedelta(days=30)
    attendance.close(event)
    db.session.commit()
    assert kinds(host) == [("cohosted", 12)]
    assert kinds(organiser) == []  # staff


def test_a_manager_award_needs_a_reason_and_stays_in_range(app):
    manager, member = make_member("maria", role="manager"), make_member("lena")
    with pytest.raises(Invalid, match="Say what the award is for"):
        ledger.award_manually(member, 10, "great", manager)
    with pytest.raises(Invalid, match="1 to 50 points"):
        ledger.award_manually(member, 51, "Spoke at our partner conference", manager)
    ledger.award_manually(member, 30, "Spoke at our partner conference in Lisbon", manager)
    db.session.commit()
    row = db.session.scalar(select(LedgerEntry))
    assert (row.kind, row.points, row.giver_id, row.note) == ("award", 30, manager.id,
                                                             "Spoke at our partner conference in Lisbon")


@pytest.mark.parametrize("earned, accepted, askers, rank", [
    (0, 0, 0, "Newcomer"), (50, 0, 0, "Helper"), (599, 20, 9, "Regular"), (600, 9, 9, "Regular"),
    (600, 10, 5, "Expert"), (1500, 10, 4, "Regular"), (1500, 12, 6, "Guide"), (4000, 10, 5, "Luminary")])
def test_ranks_follow_points_and_the_experts_gate(earned, accepted, askers, rank):
    assert queries.rank_of(earned, accepted, askers)[0] == rank


def test_a_host_confirming_a_speaker_or_volunteer_credits_10_or_8_once(client, login):
    from community.events.models import EventLog

    organiser = make_member("maria", role="manager")
    event = make_event(organiser, capacity=10)
    speaker = make_member("speaker")
    row = rsvps.rsvp(event, speaker)
    db.session.commit()
    login("maria")
    refused = client.submit(f"/events/{event.id}/people/{row.id}/spoke", page=f"/events/{event.id}/people")
    assert refused.status_code == 409 and "check them in first" in refused.get_data(as_text=True)
    attendance.check_in(row, organiser)
    db.session.commit()
    for _ in range(2):
        client.submit(f"/events/{event.id}/people/{row.id}/spoke", page=f"/events/{event.id}/people")
    assert kinds(speaker) == [("attended", 2), ("spoke", 10)]
    client.submit(f"/events/{event.id}/people/{row.id}/volunteered", page=f"/events/{event.id}/people")
    assert kinds(speaker)[-2:] == [("reversal", -10), ("volunteered", 8)] and points(speaker) == 10
    assert db.session.scalar(select(EventLog.action).order_by(EventLog.id.desc())) == "confirmed_volunteered"
    page = client.get(f"/events/{event.id}/people").get_data(as_text=True)
    assert "Volunteer</span>" in page
