"""The demo's events, made through the real services: three chapters (two cities, one online), past events with
attendance and survey answers, and upcoming ones — one full with a waitlist, a weekly series, a party with its
planning checklist half done. Its history mails nobody (core.mail.suppressed)."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from ..accounts.models import User
from ..core import mail
from ..core.timeutil import utcnow
from ..extensions import db
from . import attendance, planning, rsvps, series, services, surveys
from .models import Chapter, Event

CHAPTERS = [  # (name, city, topic, zone, organisers, description)
    ("Berlin", "Berlin", None, "Europe/Berlin", ["maria", "lena"],
     "Harbor customers in Berlin and around: talks from customers, a demo of what's new, and pizza."),
    ("Madrid", "Madrid", None, "Europe/Madrid", ["maria", "pablo"],
     "Customers in Madrid meeting every couple of months. Bring a dashboard you're proud of (or stuck on)."),
    ("Online: dashboards and reporting", None, "Dashboards and reporting", "UTC", ["priya"],
     "Webinars and office hours for everyone, wherever you are: reporting, dashboards, integrations."),
]
COMMENTS = {10: "The customer talks were the best part: real problems, real fixes.",
            9: "Met two people solving the same SSO puzzle. Come again soon!",
            8: "Good evening; a bit long on the product demo.", 7: "Nice, but the room was too warm.",
            6: "I hoped for more hands-on time.", 4: "Hard to hear the speakers at the back."}


def _at(zone: str, days: int, hour: int, minute: int = 0) -> datetime:
    day = (datetime.now(ZoneInfo(zone)) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def _details(title, zone, days, hour, hours=2, **values) -> services.Details:
    start = _at(zone, days, hour)
    return services.Details(title=title, local_start=start, local_end=start + timedelta(hours=hours),
                            time_zone=zone, **values)


def load(rng: random.Random | None = None) -> int:
    """Create the demo's chapters and events; returns how many events."""
    rng = rng or random.Random(11)
    people = {user.username: user for user in db.session.scalars(select(User).order_by(User.id))}
    members = [user for user in people.values() if user.role == "member"]
    with mail.suppressed():
        chapters = _chapters(people, members, rng)
        made = _past(people, members, chapters, rng)
        made += _upcoming(people, members, chapters, rng)
    db.session.flush()
    return made


def _chapters(people, members, rng) -> dict[str, Chapter]:
    chapters = {}
    for name, city, topic, zone, organisers, description in CHAPTERS:
        chapter = Chapter(name=name, slug=services.slugify(name), city=city, topic=topic, time_zone=zone,
                          description=description, description_html=f"<p>{description}</p>",
                          organisers=[people[n] for n in organisers])
        db.session.add(chapter)
        db.session.flush()
        for member in rng.sample(members, 14):
            services.join_chapter(chapter, member)
        chapters[name] = chapter
    return chapters


def _past(people, members, chapters, rng) -> int:
    maria = people["maria"]
    plans = [  # (details, cohosts, going, checked in, scores)
        (_details("Berlin customer meetup: winter edition", "Europe/Berlin", 5, 19, venue="Kulturbrauerei, Berlin",
                  address="Schönhauser Allee 36, 10435 Berlin", capacity=30, chapter=chapters["Berlin"],
                  description="Three customer talks, what's new in Harbor, then pizza."),
         ["lena"], 14, 12, [10, 10, 9, 9, 9, 8, 8, 7, 6, 4]),
        (_details("Madrid: dashboards and tapas", "Europe/Madrid", 6, 19, venue="La Nave, Madrid",
                  address="Calle de Cifuentes 5, 28021 Madrid", capacity=20, chapter=chapters["Madrid"],
                  description="Show your favourite dashboard in five minutes; the tapas are on us."),
         ["pablo"], 9, 8, [10, 9, 9, 8, 7]),
        (_details("Webinar: webhooks in practice", "UTC", 7, 16, hours=1, kind="online",
                  online_url="https://meet.harbor.example/webhooks-in-practice", capacity=None,
                  chapter=chapters["Online: dashboards and reporting"],
                  description="Retries, signatures and idempotency keys, with the questions you asked."),
         ["priya", "arjun"], 11, 9, [9, 9, 8, 10]),
    ]
    for days_ago, (details, cohosts, going, came, scores) in zip((40, 20, 10), plans, strict=True):
        event = services.create_event(maria, details, [(maria, "host"), *((people[n], "cohost") for n in cohosts)],
                                      publish=True)
        attendees = rng.sample(members, going)
        for member in attendees:
            rsvps.rsvp(event, member)
        _move_into_past(event, days_ago)
        for member in attendees[:came]:
            attendance.check_in(rsvps.mine(event, member), people[cohosts[0]])
        attendance.close(event)
        for member, score in zip(attendees, scores, strict=False):
            surveys.answer(event, member, score, COMMENTS.get(score, "") if rng.random() < 0.6 else "")
    return len(plans)


def _move_into_past(event: Event, days_ago: int) -> None:
    length = event.ends_at - event.starts_at
    start = utcnow() - timedelta(days=days_ago)
    start = start.replace(minute=0, second=0, microsecond=0)
    wall = start.astimezone(ZoneInfo(event.time_zone)).replace(tzinfo=None)
    db.session.execute(update(Event).where(Event.id == event.id).values(
        starts_at=start, ends_at=start + length, local_start=wall, created_at=start - timedelta(days=30),
        published_at=start - timedelta(days=30), updated_at=start - timedelta(days=30),
        survey_sent_at=start + length + timedelta(hours=1)).execution_options(synchronize_session=False))
    db.session.refresh(event)


def _upcoming(people, members, chapters, rng) -> int:
    maria, lena = people["maria"], people["lena"]
    full = services.create_event(maria, _details(
        "Berlin spring meetup: forecasting with Harbor", "Europe/Berlin", 12, 19, venue="Betahaus, Berlin",
        address="Rudi-Dutschke-Straße 23, 10969 Berlin", capacity=12, max_guests=1, chapter=chapters["Berlin"],
        description="Lena shows how her team forecasts demand for 40 warehouses. Small room: **12 seats**."),
        [(maria, "host"), (lena, "cohost"), (people["tomasz"], "helper")], publish=True)
    for member in rng.sample([m for m in members if m.username != "lena"], 16):  # 12 seats, then 4 waiting
        rsvps.rsvp(full, member)
    office_hours = series.create_series(people["priya"], _details(
        "Office hours: your reporting questions", "Europe/London", 3, 17, hours=1, kind="online",
        online_url="https://meet.harbor.example/office-hours", capacity=25,
        chapter=chapters["Online: dashboards and reporting"],
        description="Bring a question about a report or a dashboard; Priya and a guest advocate answer live."),
        "weekly", 6, [(people["priya"], "host"), (people["kenji"], "cohost")], publish=True)
    first = db.session.scalar(select(Event).where(Event.series_id == office_hours.id).order_by(Event.series_index))
    for member in rng.sample(members, 7):
        rsvps.rsvp(first, member)
    party = services.create_event(maria, _details(
        "Harbor customer party Madrid", "Europe/Madrid", 50, 20, hours=4, venue="Azotea del Círculo, Madrid",
        address="Calle de Alcalá 42, 28014 Madrid", capacity=60, max_guests=1, chapter=chapters["Madrid"],
        description="A summer evening on the roof with customers, partners and the Harbor team."),
        [(maria, "host"), (people["pablo"], "cohost")], publish=True)
    tasks = planning.apply(party, "party")
    for task in tasks[: len(tasks) // 2]:
        task.status, task.assignee = "done", rng.choice([maria, people["pablo"]])
    tasks[0].cost_cents, tasks[0].notes = 180000, "Roof terrace booked, deposit paid."
    tasks[len(tasks) // 2].status = "doing"
    for member in rng.sample(members, 9):
        rsvps.rsvp(party, member, rng.choice([0, 0, 1]))
    webinar = services.create_event(people["priya"], _details(
        "Webinar: SSO and SCIM without tears", "UTC", 19, 15, hours=1, kind="online",
        online_url="https://meet.harbor.example/sso-scim", capacity=None,
        chapter=chapters["Online: dashboards and reporting"], join_policy="approval",
        description="Noah walks through SSO and SCIM set-ups that survive a reorganisation."),
        [(people["priya"], "host"), (people["noah"], "cohost")], publish=True)
    for member in rng.sample(members, 5):
        rsvps.rsvp(webinar, member)
    return 3 + len(series.occurrences(office_hours))
