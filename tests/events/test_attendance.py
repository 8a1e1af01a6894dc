"""At the door and after: tickets, check-in (twice records once), walk-ins, no-shows, reminders and surveys that
run twice and send once, NPS results with the passives, planning tasks that move with the event, the CSV export."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community import signals
from community.core.timeutil import aware, utcnow
from community.events import attendance, planning, reminders, rsvps, services, surveys
from community.events.models import RSVP, ReminderSent, Task
from community.extensions import db
from tests.factories import make_event, make_member


def going(event, *names):
    rows = []
    for name in names:
        rows.append(rsvps.rsvp(event, make_member(name)))
        db.session.commit()
    return rows


def past(event, hours_ago=3):
    """Move the event into the past (as if time had passed since people RSVP'd)."""
    event.starts_at = utcnow() - timedelta(hours=hours_ago + 2)
    event.ends_at = utcnow() - timedelta(hours=hours_ago)
    db.session.commit()


def test_a_going_member_has_a_ticket_with_a_qr_code_others_have_none(client, login):
    event = make_event(capacity=5)
    going(event, "ana")
    make_member("ben")
    login("ana")
    html = client.get(f"/events/{event.id}/ticket").get_data(as_text=True)
    assert "<svg" in html and "Show this code at the door" in html
    login("ben")
    assert client.get(f"/events/{event.id}/ticket").status_code == 404


def test_checking_in_twice_records_once_and_undo_takes_it_back(app):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=5)
    (row,) = going(event, "ana")
    heard = []
    signals.attendee_checked_in.connect(receiver := lambda sender, **kw: heard.append(sender.id))
    try:
        assert attendance.check_in(row, host) is True
        assert attendance.check_in(row, host) is False
        db.session.commit()
    finally:
        signals.attendee_checked_in.disconnect(receiver)
    assert heard == [row.id]
    assert row.state == "checked_in" and row.checked_in_by_id == host.id
    attendance.undo(row, host)
    db.session.commit()
    assert row.state == "going" and row.checked_in_at is None
    assert event.seats_taken == 1


def test_the_check_in_page_finds_people_by_name_and_checks_them_in_by_scan(client, login):
    host = make_member("host", role="manager")
    helper = make_member("helper")
    event = make_event(host, capacity=5, helpers=[helper])
    ana, _ = going(event, "anastasia", "bertram")
    make_member("stranger")
    login("stranger")
    assert client.get(f"/events/{event.id}/check-in").status_code == 403
    login("helper")
    html = client.get(f"/events/{event.id}/check-in?q=anast").get_data(as_text=True)
    assert "anastasia" in html and "bertram" not in html
    scan = client.get(f"/events/{event.id}/check-in/t/{ana.ticket_secret}").get_data(as_text=True)
    assert "Check in anastasia" in scan
    done = client.submit(f"/events/{event.id}/check-in/{ana.id}", page=f"/events/{event.id}/check-in",
                         follow_redirects=True)
    assert "anastasia is checked in" in done.get_data(as_text=True)
    again = client.submit(f"/events/{event.id}/check-in/{ana.id}", page=f"/events/{event.id}/check-in",
                          follow_redirects=True)
    assert "anastasia was checked in already" in again.get_data(as_text=True)
    assert client.get(f"/events/{event.id}/check-in/count.json").get_json()["checked_in"] == 1
    assert client.get(f"/events/{event.id}/check-in/t/not-a-ticket").status_code == 404


def test_walk_ins_take_a_free_seat_or_go_over_capacity_only_when_confirmed(client, login):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=1)
    going(event, "ana")
    make_member("walker")
    login("host")
    refused = client.submit(f"/events/{event.id}/walk-in", {"username": "walker"}, page=f"/events/{event.id}/check-in")
    assert refused.status_code == 409 and "Confirm adding walker over capacity" in refused.get_data(as_text=True)
    client.submit(f"/events/{event.id}/walk-in", {"username": "walker", "over_capacity": "y"},
                  page=f"/events/{event.id}/check-in")
    row = db.session.scalar(select(RSVP).where(RSVP.walk_in.is_(True)))
    assert row.state == "checked_in" and row.user.username == "walker"
    db.session.refresh(event)
    assert event.capacity == 2 and event.seats_taken == 2
    unknown = client.submit(f"/events/{event.id}/walk-in", {"username": "nobody"}, page=f"/events/{event.id}/check-in")
    assert unknown.status_code == 404 and "No member is called @nobody" in unknown.get_data(as_text=True)


def test_after_the_end_and_grace_those_who_did_not_come_are_no_shows_and_hosts_get_credit(app, runner):
    host, cohost = make_member("host", role="manager"), make_member("cohost")
    event = make_event(host, capacity=10, cohosts=[cohost])
    rows = going(event, "a1x", "a2x", "a3x", "a4x")
    for row in rows[:3]:
        attendance.check_in(row, host)
    db.session.commit()
    hosted = []
    signals.event_hosted.connect(receiver := lambda sender, **kw: hosted.append((sender.id, kw)))
    try:
        past(event, hours_ago=1)  # inside the 2-hour grace: nothing yet
        assert runner.invoke(args=["events", "close-past"]).exit_code == 0
        assert db.session.get(RSVP, rows[3].id).state == "going"
        past(event, hours_ago=3)
        result = runner.invoke(args=["events", "close-past"])
        assert "1 event(s) closed: 3 attendee(s) checked in, 1 no-show(s)." in result.output
        assert "0 event(s) closed" in runner.invoke(args=["events", "close-past"]).output  # idempotent
    finally:
        signals.event_hosted.disconnect(receiver)
    db.session.refresh(rows[3])
    assert rows[3].state == "no_show"
    assert [(event_id, kw["attendees"], sorted(u.username for u in kw["hosts"])) for event_id, kw in hosted] == [
        (event.id, 3, ["cohost", "host"])]


def test_an_event_with_fewer_than_three_attendees_is_not_counted_as_hosted(app):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=10)
    for row in going(event, "a1x", "a2x"):
        attendance.check_in(row, host)
    db.session.commit()
    past(event)
    hosted = []
    signals.event_hosted.connect(receiver := lambda sender, **kw: hosted.append(sender.id))
    try:
        attendance.close(event)
    finally:
        signals.event_hosted.disconnect(receiver)
    assert hosted == []


def test_reminders_run_twice_send_once_and_follow_a_change_of_time(app, runner, smtp):
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=10, days=5)
    rsvps.rsvp(event, make_member("ana", time_zone="America/New_York"))
    db.session.commit()
    smtp.wait_for(1, timeout=15)
    smtp.messages.clear()
    assert "1 reminder(s) sent." in runner.invoke(args=["events", "send-reminders"]).output
    assert "0 reminder(s) sent." in runner.invoke(args=["events", "send-reminders"]).output
    mail = smtp.wait_for(1, timeout=15)[0]
    assert mail["Subject"] == f"Next week: {event.title}"
    body = mail.get_body(("plain",)).get_content()
    start = aware(event.starts_at).astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{start:%H:%M}" in body and "(America/New_York)" in body  # the recipient's zone, named
    details = services.details_of(event)
    details.local_start += timedelta(days=1)
    details.local_end += timedelta(days=1)
    services.update_event(event, organiser, details)
    db.session.commit()
    assert "1 reminder(s) sent." in runner.invoke(args=["events", "send-reminders"]).output  # the new start
    assert db.session.scalar(select(db.func.count()).select_from(ReminderSent)) == 2


def test_the_day_before_reminder_is_its_own_mail(app, smtp):
    event = make_event(capacity=10, days=1)
    event.starts_at = utcnow() + timedelta(hours=20)
    event.ends_at = utcnow() + timedelta(hours=22)
    db.session.commit()
    rsvps.rsvp(event, make_member("ana"))
    db.session.commit()
    assert reminders.send_reminders() == 1
    db.session.commit()
    assert any(m["Subject"] == f"Tomorrow: {event.title}" for m in smtp.wait_for(2, timeout=15))


def test_the_survey_goes_to_checked_in_attendees_once_and_results_show_the_passives(app, client, login, runner,
                                                                                    smtp):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=10)
    rows = going(event, "pro", "pas", "det", "absent")
    for row in rows[:3]:
        attendance.check_in(row, host)
    db.session.commit()
    past(event, hours_ago=2)
    smtp.wait_for(4, timeout=15)
    smtp.messages.clear()
    assert "3 survey mail(s) sent." in runner.invoke(args=["events", "send-surveys"]).output
    assert "0 survey mail(s) sent." in runner.invoke(args=["events", "send-surveys"]).output
    surveyed = sorted(m["To"] for m in smtp.wait_for(3, timeout=15))
    assert surveyed == ["det@example.com", "pas@example.com", "pro@example.com"]
    for name, score in (("pro", "10"), ("pas", "8"), ("det", "4")):
        login(name)
        response = client.submit(f"/events/{event.id}/survey", {"score": score, "comment": f"I gave {score}."},
                                 follow_redirects=True)
        assert "Thank you" in response.get_data(as_text=True)
    again = client.get(f"/events/{event.id}/survey").get_data(as_text=True)
    assert "You answered this survey" in again
    login("absent")
    assert client.submit(f"/events/{event.id}/survey", {"score": "0"}).status_code == 403
    found = surveys.results(event=event)
    assert (found.n, found.promoters, found.passives, found.detractors, found.nps) == (3, 1, 1, 1, 0)
    login("host")
    html = client.get(f"/events/{event.id}/results").get_data(as_text=True)
    assert "Passives (7–8)" in html and "n = 3 answers" in html and "I gave 8." in html
    assert "1 no-shows" in html or "no-show" in html
    by_host = client.get("/events/results?host=host").get_data(as_text=True)
    assert "n = 3 answers" in by_host and "Attendance: 3 checked in, 0 no-shows" in by_host


def test_a_survey_answer_out_of_range_is_refused_and_keeps_the_comment(client, login):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=10)
    (row,) = going(event, "ana")
    attendance.check_in(row, host)
    db.session.commit()
    login("ana")
    response = client.submit(f"/events/{event.id}/survey", {"score": "11", "comment": "Great pizza"})
    assert response.status_code == 400 and "Great pizza" in response.get_data(as_text=True)


def test_a_checklist_makes_tasks_that_move_with_the_event_and_adds_up_the_budget(client, login):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=60, days=60)
    tasks = planning.apply(event, "party")
    db.session.commit()
    assert [t.title for t in tasks][:3] == ["Book the venue for 60", "Send the invitations", "Book music and AV"]
    venue = tasks[0]
    assert planning.due(event, venue) == event.local_start.date() - timedelta(days=45)
    details = services.details_of(event)
    details.local_start += timedelta(days=7)
    details.local_end += timedelta(days=7)
    services.update_event(event, host, details)
    db.session.commit()
    assert planning.due(event, venue) == event.local_start.date() - timedelta(days=45)
    login("host")
    page = client.get(f"/events/{event.id}/plan").get_data(as_text=True)
    token = re.search(rf'name="t{venue.id}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    saved = client.post(f"/events/{event.id}/plan/{venue.id}", data={
        f"t{venue.id}-csrf_token": token, f"t{venue.id}-status": "done", f"t{venue.id}-assignee": str(host.id),
        f"t{venue.id}-notes": "Booked the loft", f"t{venue.id}-cost": "1250.50", f"t{venue.id}-offset_days": "-45"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    task = db.session.get(Task, venue.id)
    db.session.refresh(task)
    assert (task.status, task.assignee_id, task.cost_cents, task.notes) == ("done", host.id, 125050, "Booked the loft")
    assert "budget 1250.50" in client.get(f"/events/{event.id}/plan").get_data(as_text=True)


def test_overdue_tasks_are_highlighted_for_the_hosts(client, login):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=40, days=5)
    planning.apply(event, "meetup")  # "Book the venue" was due 25 days ago
    db.session.commit()
    login("host")
    html = client.get(f"/events/{event.id}/plan").get_data(as_text=True)
    overdue = re.findall(r'class="panel task task-overdue".*?<h2 class="task-title">([^<]+)</h2>', html, re.S)
    assert "Book the venue" in overdue and "Send thank-you notes to speakers and the venue" not in overdue


def test_the_manager_creates_an_event_from_the_customer_meetup_template(client, login):
    make_member("maria", role="manager")
    login("maria")
    form = client.get("/events/new?template=meetup").get_data(as_text=True)
    assert 'value="Customer meetup"' in form and 'value="40"' in form


def test_the_attendee_export_is_for_organisers_and_neutralises_formulas(client, login):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=10)
    rsvps.rsvp(event, make_member("sneaky", display_name="=HYPERLINK(\"http://x\")"))
    db.session.commit()
    make_member("lena")
    login("lena")
    assert client.get(f"/events/{event.id}/attendees.csv").status_code == 403
    login("host")
    response = client.get(f"/events/{event.id}/attendees.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["name", "username", "email", "state"]
    assert rows[1][0].startswith("'=") and rows[1][3] == "going"


def test_members_never_see_no_show_figures(client, login):
    host = make_member("host", role="manager")
    event = make_event(host, capacity=10)
    going(event, "ana")
    login("ana")
    assert client.get(f"/events/{event.id}/results").status_code == 403
    assert "no-show" not in client.get(f"/events/{event.id}-{event.slug}").get_data(as_text=True)


@pytest.mark.parametrize("key", sorted(planning.TEMPLATES))
def test_every_checklist_template_applies(app, key):
    event = make_event(capacity=None)
    assert len(planning.apply(event, key)) == len(planning.TEMPLATES[key].tasks)
