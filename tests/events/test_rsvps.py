"""RSVPs, the seats ledger and the waitlist, through the services: what a member and an organiser notice."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.core.errors import Conflict, Invalid, NotAllowed
from community.core.timeutil import aware, utcnow
from community.events import organising, queries, rsvps, seats
from community.events.models import RSVP, EventLog
from community.extensions import db
from tests.factories import make_event, make_member


def rsvp(event, member, guests=0, **kwargs):
    row = rsvps.rsvp(event, member, guests, **kwargs)
    db.session.commit()
    return row


def states(event):
    rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id).order_by(RSVP.id))
    return {row.user.username: row.state for row in rows}


def in_step(event):
    db.session.refresh(event)
    return queries.held_seats(event) == event.seats_taken


def arrived(smtp, subject: str, timeout: float = 15.0):
    """The mail whose subject starts with `subject`, once it has arrived (it fails listing what did arrive)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [m for m in smtp.messages if m["Subject"].startswith(subject)]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no mail {subject!r}; arrived: {[(m['To'], m['Subject']) for m in smtp.messages]}")


def subjects(smtp, count):
    return [message["Subject"] for message in smtp.wait_for(count, timeout=15)]


def test_members_take_seats_until_full_then_queue_in_join_order(app, smtp):
    event = make_event(capacity=2)
    people = [make_member(f"guest{n}") for n in range(4)]
    rows = [rsvp(event, person) for person in people]
    assert [row.state for row in rows] == ["going", "going", "waitlisted", "waitlisted"]
    assert [seats.position(row) for row in rows] == [None, None, 1, 2]
    assert event.seats_taken == 2 and in_step(event)
    assert any("You're on the waitlist" in subject for subject in subjects(smtp, 4))


def test_cancelling_frees_the_seat_and_promotes_the_first_waitlisted_member_in_the_same_transaction(app, smtp):
    event = make_event(capacity=1)
    first, second, third = make_member("first"), make_member("second"), make_member("third")
    held, waiting, later = rsvp(event, first), rsvp(event, second), rsvp(event, third)
    smtp.wait_for(3, timeout=15)
    smtp.messages.clear()
    rsvps.cancel(held)
    # Before the commit, in the same transaction: the seat already belongs to the next in the queue.
    assert db.session.get(RSVP, waiting.id).state == "going"
    assert smtp.messages == []  # no mail before the commit
    db.session.commit()
    assert states(event) == {"first": "cancelled", "second": "going", "third": "waitlisted"}
    assert seats.position(db.session.get(RSVP, later.id)) == 1
    assert in_step(event)
    mails = smtp.wait_for(2, timeout=15)
    promoted = next(m for m in mails if m["To"] == second.email)
    assert promoted["Subject"].startswith("A seat opened up")
    assert any(part.get_content_type() == "text/calendar" for part in promoted.iter_attachments())


def test_a_promotion_that_rolls_back_sends_no_mail(app, smtp):
    event = make_event(capacity=1)
    held = rsvp(event, make_member("holder"))
    rsvp(event, make_member("waiter"))
    smtp.wait_for(2, timeout=15)
    smtp.messages.clear()
    rsvps.cancel(held)
    db.session.rollback()
    assert smtp.wait_for(1, timeout=0.5) == []
    assert states(event) == {"holder": "going", "waiter": "waitlisted"}
    assert in_step(event)


def test_the_first_party_that_fits_moves_up_and_larger_ones_keep_their_place(app):
    event = make_event(capacity=3, max_guests=3)
    holder = rsvp(event, make_member("holder"), 1)  # 2 seats
    rsvp(event, make_member("solo"))  # the last seat
    big = rsvp(event, make_member("bigparty"), 3)  # 4 seats: waits
    small = rsvp(event, make_member("small"), 1)  # 2 seats: waits behind
    rsvps.cancel(holder)  # frees 2: the party of 4 doesn't fit, the party of 2 does
    db.session.commit()
    assert db.session.get(RSVP, small.id).state == "going"
    assert db.session.get(RSVP, big.id).state == "waitlisted" and seats.position(big) == 1
    assert in_step(event)


def test_a_newcomer_joins_the_waitlist_while_others_wait_even_if_a_seat_is_free(app):
    event = make_event(capacity=3, max_guests=2)
    rsvp(event, make_member("pair"), 1)  # 2 seats
    solo = rsvp(event, make_member("solo"))  # the last seat
    trio = rsvp(event, make_member("trio"), 2)  # 3 seats: waits
    rsvps.cancel(solo)
    db.session.commit()
    # A seat is free, but the trio needs 3: the seat is held for the queue, and a newcomer queues behind them.
    assert event.seats_taken == 2 and db.session.get(RSVP, trio.id).state == "waitlisted"
    late = rsvp(event, make_member("late"))
    assert late.state == "waitlisted" and seats.position(late) == 2
    assert in_step(event)


def test_raising_the_capacity_promotes_the_queue(app):
    from community.events import services

    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=1)
    rsvp(event, make_member("one"))
    waiting = rsvp(event, make_member("two"))
    details = services.details_of(event)
    details.capacity = 2
    services.update_event(event, organiser, details)
    db.session.commit()
    assert db.session.get(RSVP, waiting.id).state == "going" and in_step(event)


def test_the_capacity_cannot_drop_below_the_seats_taken(app):
    from community.events import services

    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=3)
    for n in range(3):
        rsvp(event, make_member(f"member{n}x"))
    details = services.details_of(event)
    details.capacity = 2
    with pytest.raises(Invalid, match="3 seats are taken"):
        services.update_event(event, organiser, details)


def test_inside_the_offer_cutoff_a_freed_seat_is_offered_and_an_unclaimed_offer_moves_on(app, smtp):
    event = make_event(capacity=1, days=1, claim_hours=6)  # tomorrow: inside the default 48 h offer cutoff
    holder, first, _ = (rsvp(event, make_member(name)) for name in ("holder", "first", "second"))
    rsvps.cancel(holder)
    db.session.commit()
    first = db.session.get(RSVP, first.id)
    assert first.state == "offered"
    assert aware(first.offer_expires_at) - utcnow() == pytest.approx(timedelta(hours=6), abs=timedelta(minutes=1))
    assert event.seats_taken == 1  # the offer holds the seat
    later = utcnow() + timedelta(hours=7)
    expired = rsvps.expire_offers(event, later)
    db.session.commit()
    assert [row.id for row in expired] == [first.id]
    assert states(event) == {"holder": "cancelled", "first": "cancelled", "second": "offered"}
    assert in_step(event)
    assert db.session.scalar(select(EventLog.action).where(EventLog.member_id == first.user_id)) == "offer_expired"
    assert any(s.startswith("Your held seat was released") for s in subjects(smtp, 6))


def test_claiming_an_offer_confirms_the_seat_and_a_late_claim_is_refused(app):
    event = make_event(capacity=1, waitlist_mode="offer", claim_hours=2)
    holder, waiting = rsvp(event, make_member("holder")), rsvp(event, make_member("waiting"))
    rsvps.cancel(holder)
    db.session.commit()
    offered = db.session.get(RSVP, waiting.id)
    with pytest.raises(Conflict, match="time to claim"):
        rsvps.claim(offered, now=utcnow() + timedelta(hours=3))
    rsvps.claim(offered)
    db.session.commit()
    assert offered.state == "going" and in_step(event)


def test_nobody_moves_up_inside_the_final_cutoff(app):
    event = make_event(capacity=1, days=1, final_cutoff_hours=2)
    event.starts_at, event.ends_at = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=2)  # in an hour
    db.session.commit()
    holder, waiting = rsvp(event, make_member("holder")), rsvp(event, make_member("waiting"))
    rsvps.cancel(holder)
    db.session.commit()
    assert db.session.get(RSVP, waiting.id).state == "waitlisted"
    assert event.seats_taken == 0 and in_step(event)


def test_guests_take_seats_and_more_guests_than_fit_are_refused(app):
    event = make_event(capacity=3, max_guests=2)
    row = rsvp(event, make_member("host"), 2)
    assert event.seats_taken == 3
    rsvps.change_guests(row, 1)
    db.session.commit()
    assert event.seats_taken == 2
    rsvp(event, make_member("other"))
    with pytest.raises(Conflict, match="no seats for 1 more"):
        rsvps.change_guests(row, 2)
    with pytest.raises(Invalid, match="up to 2 guests"):
        rsvps.rsvp(event, make_member("greedy"), 3)


def test_answering_twice_is_refused_with_the_place_the_member_has(app):
    event = make_event(capacity=1)
    member = make_member("twice")
    rsvp(event, member)
    with pytest.raises(Conflict, match="already going"):
        rsvps.rsvp(event, member)
    assert db.session.scalar(select(db.func.count()).select_from(RSVP)) == 1


def test_a_cancelled_member_may_rsvp_again_with_the_same_row(app):
    event = make_event(capacity=5)
    member = make_member("again")
    row = rsvp(event, member)
    rsvps.cancel(row)
    db.session.commit()
    again = rsvp(event, member)
    assert again.id == row.id and again.state == "going" and in_step(event)


def test_approval_events_wait_for_the_organiser_who_may_approve_or_decline(app, smtp):
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=1, join_policy="approval")
    asking, other = rsvp(event, make_member("asking")), rsvp(event, make_member("other"))
    assert asking.state == other.state == "pending" and event.seats_taken == 0
    organising.approve(asking, organiser)
    organising.decline(other, organiser, "Full of partners this time, sorry.")
    db.session.commit()
    assert states(event) == {"asking": "going", "other": "not_going"}
    actions = list(db.session.scalars(select(EventLog.action).order_by(EventLog.id)))
    assert actions == ["approved", "declined"]
    assert any("Full of partners" in m.get_body(("plain",)).get_content() for m in smtp.wait_for(4, timeout=15))


def test_invite_only_events_need_a_personal_link_that_works_once(app):
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=10, join_policy="invite")
    with pytest.raises(NotAllowed, match="by invitation"):
        rsvps.rsvp(event, make_member("uninvited"))
    invitation = organising.invite(event, organiser, "guest@example.com")
    db.session.commit()
    row = rsvp(event, make_member("invited"), invitation=invitation)
    assert row.state == "going"
    with pytest.raises(NotAllowed, match="used already"):
        rsvps.rsvp(event, make_member("second"), invitation=invitation)


def test_an_organiser_promotes_a_chosen_person_and_adds_over_capacity_only_when_confirmed(app):
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=1)
    rsvp(event, make_member("holder"))
    rsvp(event, make_member("first"))
    chosen = rsvp(event, make_member("chosen"))
    with pytest.raises(Conflict, match="Confirm adding them over capacity"):
        organising.promote_member(chosen, organiser)
    db.session.rollback()
    organising.promote_member(db.session.get(RSVP, chosen.id), organiser, over_capacity=True, reason="Speaker")
    db.session.commit()
    assert states(event)["chosen"] == "going" and states(event)["first"] == "waitlisted"
    assert event.capacity == 2 and event.seats_taken == 2 and in_step(event)
    log = [(entry.action, entry.actor_id, entry.reason) for entry in queries.audit_log(event)]
    assert ("promoted", organiser.id, "Speaker") in log
    assert any(action == "capacity_raised" and "from 1 to 2" in reason for action, _, reason in log)


def test_moving_someone_up_the_queue_changes_their_position_and_is_logged(app):
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=1)
    rsvp(event, make_member("holder"))
    first, newcomer = rsvp(event, make_member("first")), rsvp(event, make_member("newcomer"))
    organising.set_priority(newcomer, organiser, 10, "First-timer")
    db.session.commit()
    assert seats.position(db.session.get(RSVP, newcomer.id)) == 1
    assert seats.position(db.session.get(RSVP, first.id)) == 2
    assert queries.audit_log(event)[0].reason == "priority 10. First-timer"


def test_removing_someone_needs_a_message_they_read_and_promotes_the_queue(app, smtp):
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=1)
    held = rsvp(event, make_member("removed"))
    rsvp(event, make_member("waiting"))
    with pytest.raises(Invalid, match="why"):
        organising.remove(held, organiser, "")
    organising.remove(held, organiser, "This meetup is for customers; you work for a competitor.")
    db.session.commit()
    assert states(event) == {"removed": "cancelled", "waiting": "going"}
    mail = arrived(smtp, "Your place was cancelled")
    assert "you work for a competitor" in mail.get_body(("plain",)).get_content()
    assert queries.audit_log(event)[0].action == "removed"
    assert in_step(event)


def test_rsvps_are_refused_before_they_open_after_they_close_and_for_cancelled_events(app):
    from community.events import services

    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=5)
    event.rsvp_opens_at = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(Conflict, match="RSVPs open on"):
        rsvps.rsvp(event, make_member("early"))
    event.rsvp_opens_at, event.rsvp_closes_at = None, utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict, match="closed"):
        rsvps.rsvp(event, make_member("late"))
    event.rsvp_closes_at = None
    services.cancel_event(event, organiser, "The venue flooded.")
    db.session.commit()
    with pytest.raises(Conflict, match="cancelled"):
        rsvps.rsvp(event, make_member("hopeful"))
