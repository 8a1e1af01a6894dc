"""Recurring series on local wall time: DST-proof, each occurrence a real event, edits by scope."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from community.core.errors import Invalid
from community.core.timeutil import aware
from community.events import rsvps, series, services
from community.events.models import RSVP, Event
from community.extensions import db
from tests.factories import make_member

BERLIN = ZoneInfo("Europe/Berlin")


def details(start, hours=2, **changes):
    values = {"title": "Tuesday evening meetup", "local_start": start, "local_end": start + timedelta(hours=hours),
              "time_zone": "Europe/Berlin", "venue": "Kulturbrauerei", "capacity": 30}
    values.update(changes)
    return services.Details(**values)


def occurrences(made):
    return list(db.session.scalars(select(Event).where(Event.series_id == made.id).order_by(Event.series_index)))


def test_a_weekly_1900_berlin_series_stays_at_1900_across_both_clock_changes(app):
    organiser = make_member("maria", role="manager")
    made = series.create_series(organiser, details(datetime(2027, 3, 16, 19, 0)), "weekly", 34, publish=True)
    db.session.commit()
    events = occurrences(made)
    assert len(events) == 34
    assert events[-1].local_start.date() > datetime(2027, 10, 31).date()  # past October's change
    for event in events:
        local = aware(event.starts_at).astimezone(BERLIN)
        assert (local.hour, local.minute, local.weekday()) == (19, 0, 1)
        assert aware(event.ends_at) - aware(event.starts_at) == timedelta(hours=2)
    utc_hours = {aware(e.starts_at).hour for e in events}
    assert utc_hours == {17, 18}  # 17:00 UTC in summer time, 18:00 UTC in winter time
    assert aware(events[1].starts_at).hour == 18 and aware(events[2].starts_at).hour == 17  # 23 March, 30 March
    assert [e.series_index for e in events] == list(range(34))


def test_a_0230_start_on_the_spring_forward_day_is_refused_with_a_message(app):
    organiser = make_member("maria", role="manager")
    with pytest.raises(Invalid, match="28 March 2027, 02:30 does not exist in Europe/Berlin"):
        series.create_series(organiser, details(datetime(2027, 3, 14, 2, 30)), "weekly", 4)
    with pytest.raises(Invalid, match="does not exist"):
        services.create_event(organiser, details(datetime(2027, 3, 28, 2, 30)))


def test_monthly_series_by_date_and_by_nth_weekday(app):
    organiser = make_member("maria", role="manager")
    by_date = series.create_series(organiser, details(datetime(2027, 1, 15, 18, 0)), "monthly_date", 3)
    assert [e.local_start.day for e in occurrences(by_date)] == [15, 15, 15]
    second_tuesday = series.create_series(organiser, details(datetime(2027, 1, 12, 18, 0)), "monthly_weekday", 3)
    assert [e.local_start.date().isoformat() for e in occurrences(second_tuesday)] == [
        "2027-01-12", "2027-02-09", "2027-03-09"]
    with pytest.raises(Invalid, match="days 1 to 28"):
        series.create_series(organiser, details(datetime(2027, 1, 31, 18, 0)), "monthly_date", 3)


def test_occurrences_are_real_events_with_their_own_rsvps(app):
    organiser = make_member("maria", role="manager")
    made = series.create_series(organiser, details(datetime(2027, 5, 4, 19, 0), capacity=1), "weekly", 3,
                                publish=True)
    first, second, _ = occurrences(made)
    member = make_member("ana")
    rsvps.rsvp(first, member)
    rsvps.rsvp(second, member)
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(RSVP)) == 2
    assert (first.seats_taken, second.seats_taken) == (1, 1)


@pytest.mark.parametrize("scope, moved", [("this", [False, True, False, False]),
                                          ("following", [False, True, True, True]),
                                          ("all", [True, True, True, True])])
def test_editing_one_the_following_or_all_occurrences(app, scope, moved):
    organiser = make_member("maria", role="manager")
    made = series.create_series(organiser, details(datetime(2027, 3, 9, 19, 0)), "weekly", 4, publish=True)
    events = occurrences(made)
    target = events[1]
    new_start = target.local_start.replace(hour=18, minute=30)
    changed = series.edit(target, organiser, details(new_start, title="Tuesday early meetup"), scope)
    db.session.commit()
    assert len(changed) == sum(moved)
    for event, expect in zip(events, moved, strict=True):
        db.session.refresh(event)
        local = aware(event.starts_at).astimezone(BERLIN)
        assert ((local.hour, local.minute) == (18, 30)) is expect  # across the 28 March change too
        assert (event.title == "Tuesday early meetup") is expect
        assert event.sequence == (1 if expect else 0)


def test_the_plan_page_creates_a_series_and_the_edit_page_offers_the_scope(client, login):
    from tests.events.test_views import _form

    make_member("maria", role="manager")
    login("maria")
    response = client.submit("/events/new", _form(repeat="biweekly", occurrences="3"), follow_redirects=True)
    assert response.status_code == 200
    events = list(db.session.scalars(select(Event).order_by(Event.starts_at)))
    assert len(events) == 3 and len({e.series_id for e in events}) == 1
    assert (aware(events[1].starts_at) - aware(events[0].starts_at)).days in (13, 14)
    html = client.get(f"/events/{events[0].id}/edit").get_data(as_text=True)
    assert "This and the following events" in html
    refused = client.submit("/events/new", _form(repeat="weekly", occurrences="99"))
    assert refused.status_code == 400 and "From 2 to 52." in refused.get_data(as_text=True)
