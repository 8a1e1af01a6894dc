"""The demo's programme: the ledger replayed from the demo community's history in the order it happened (so the
caps and windows see real dates), two rising stars with evidence, and one ring of three accounts thanking each
other that the detector flags. Levels and badges follow from the ledger. The programme's pipeline has a few
advocates (one whose year is up), one member onboarding, one nominated by two members and one who applied, and
the advocates' lounge. Its history mails nobody."""

import random
from datetime import date, timedelta

from sqlalchemy import delete, func, select

from ..accounts import services as accounts
from ..accounts.models import User, Visit
from ..core import mail
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import badges, ledger, levels, programme, rules
from .models import BadgeGrant, LedgerEntry, Level, Nomination, Programme, StageChange

RING = (("deal_finder", "Dee Finder"), ("deal_keeper", "Kee Keeper"), ("deal_maker", "Mac Maker"))


def load(rng: random.Random | None = None) -> int:
    """Replay the history into the ledger; returns its number of rows."""
    rng = rng or random.Random(5)
    with mail.suppressed():
        for model in (LedgerEntry, BadgeGrant, Level, Nomination, StageChange, Programme):
            db.session.execute(delete(model))  # what the receivers wrote as the demo was made "now"
        _replay()
        _rising_stars(rng)
        _ring(rng)
        _programme()
        for member in db.session.scalars(select(User).where(User.role == "member")):
            levels.refresh(member)
            badges.sync(member)
    db.session.flush()
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def _history() -> list[tuple]:
    from ..events.models import RSVP, Event
    from ..forums.models import Post, Thanks, Topic

    moments = []
    for topic, post in db.session.execute(select(Topic, Post).join(Post, Post.id == Topic.accepted_post_id)
                                          .where(Post.deleted_at.is_(None))):
        if post.author_id != topic.author_id:
            moments.append((aware(post.created_at) + timedelta(hours=3), "accepted", post, topic))
    for thanks, post in db.session.execute(select(Thanks, Post).join(Post, Post.id == Thanks.post_id)
                                           .where(Post.deleted_at.is_(None), Thanks.user_id != Post.author_id)):
        moments.append((aware(thanks.created_at), "thanks", post, thanks.user_id))
    for rsvp, event in db.session.execute(select(RSVP, Event).join(Event, Event.id == RSVP.event_id)
                                          .where(RSVP.state == "checked_in")):
        moments.append((aware(event.starts_at), "attended", rsvp, event))
    for event in db.session.scalars(select(Event).where(Event.closed_at.is_not(None))):
        came = db.session.scalar(select(func.count()).select_from(RSVP).where(RSVP.event_id == event.id,
                                                                              RSVP.state == "checked_in"))
        if came >= 3:
            moments.append((aware(event.ends_at), "cohosted", event, came))
    return sorted(moments, key=lambda moment: moment[0])


def _replay() -> None:
    from .receivers import _first_reply_to_a_newcomer

    for when, kind, subject, other in _history():
        if kind == "accepted":
            member = db.session.get(User, subject.author_id)
            ledger.award(member, "accepted_answer", 15, "post", subject.id, giver=db.session.get(User, other.author_id),
                         when=when)
            if other.category.is_questions and _first_reply_to_a_newcomer(subject, other):
                ledger.award(member, "welcome", rules.BY_KIND["welcome"].points, "topic", other.id, when=when,
                             note="first to answer a newcomer's first question")
        elif kind == "thanks":
            member, giver = db.session.get(User, subject.author_id), db.session.get(User, other)
            if ledger.counts_for(member):
                points, note = ledger.thanks_points(member, giver, now=when)
                ledger.award(member, "thanks", points, "post", subject.id, giver=giver, note=note, when=when)
        elif kind == "attended":
            ledger.award(db.session.get(User, subject.user_id), "attended", 2, "event", other.id,
                         giver=db.session.get(User, subject.checked_in_by_id) if subject.checked_in_by_id else None,
                         when=when)
        else:
            for host in subject.hosts:
                if host.role in ("host", "cohost"):
                    ledger.award(host.user, "cohosted", 12, "event", subject.id, when=when,
                                 note=f"{other} attendees checked in")


def _visits(member: User, days: int) -> None:
    have = set(db.session.scalars(select(Visit.day).where(Visit.user_id == member.id)))
    for number in range(days):
        day = date.today() - timedelta(days=1 + number * 3)
        if day not in have:
            db.session.add(Visit(user_id=member.id, day=day))


def _rising_stars(rng) -> None:
    """Two members who helped a lot this month: recent accepted answers for several people, thanked by many."""
    from ..forums import services as forums
    from ..forums.models import Category

    questions = db.session.scalar(select(Category).where(Category.kind == "questions").order_by(Category.id))
    members = list(db.session.scalars(select(User).where(User.role == "member", User.username.in_(
        ("samuel", "chloe", "diego", "tomasz", "aisha", "liam", "mei", "sofia", "noah", "emma", "yuki", "ines")))
        .order_by(User.id)))
    for star, asked in ((_user("grace"), ["lucas", "felix", "zara"]), (_user("arjun"), ["ethan", "nora"])):
        for number, asker_name in enumerate(asked):
            asker = _user(asker_name)
            topic = forums.create_topic(asker, questions, f"{QUESTIONS[number]} ({asker.name.split()[0]}'s team)",
                                        "We tried the obvious settings; what else should we check?", limits=False)
            answer = forums.post_reply(topic, star, ANSWERS[number], limits=False)
            forums.accept_answer(topic, answer, asker)
            for fan in rng.sample(members, 3):
                forums.thank(answer, fan)
        _visits(star, 6)


def _ring(rng) -> None:
    """Three accounts thanking each other's posts, five times and more each way: the detector flags them."""
    from ..forums import services as forums
    from ..forums.models import Topic

    now = utcnow()
    people = []
    for username, name in RING:
        user = accounts.create_member(username, f"{username}@mail.example", "ring-account-2026-demo",
                                      display_name=name, bio="Always looking for a great deal.")
        user.email_verified_at = user.created_at = now - timedelta(days=45)
        people.append(user)
    topics = list(db.session.scalars(select(Topic).where(Topic.deleted_at.is_(None), Topic.pinned_at.is_(None),
                                                         Topic.locked_at.is_(None))
                                     .order_by(Topic.id.desc()).limit(6)))
    posts = {user.id: [forums.post_reply(topic, user, f"Same here, great tip! (+{number})", limits=False)
                       for number, topic in enumerate(topics)] for user in people}
    for giver in people:
        for recipient in people:
            if giver is not recipient:
                for post in posts[recipient.id]:
                    forums.thank(post, giver)


def _programme() -> None:
    """The members with the most points (the rising stars and the ring aside) walked through the programme on dates
    in the past: three advocates (the first one's year is up), one onboarding, one nominated, one applied."""
    from ..forums import services as forums

    manager, mentor = _user("maria"), _user("kenji")
    skip = {"grace", "arjun", *(name for name, _ in RING)}
    top = [user for user, _ in db.session.execute(
        select(User, func.sum(LedgerEntry.points)).join(LedgerEntry, LedgerEntry.member_id == User.id)
        .where(User.role == "member").group_by(User.id).order_by(func.sum(LedgerEntry.points).desc(), User.id))
        if user.username not in skip][:6]
    if len(top) < 6:
        return
    now = utcnow()
    for number, member in enumerate(top[:4]):
        start = now - timedelta(days=(400, 220, 160, 20)[number])
        programme.invite(member, manager, f"Your answers on exports and SSO have helped dozens of people, "
                         f"{member.name.split()[0]}: would you lead with us?", now=start)
        programme.answer(member, True, now=start + timedelta(days=2))
        programme.accept_conduct(member, now=start + timedelta(days=2))
        if number < 3:
            programme.assign_mentor(member, mentor, manager, now=start + timedelta(days=3))
            programme.offer_first_task(member, manager, "Co-host the next online meetup with Kenji: you take the "
                                       "questions from the chat.", now=start + timedelta(days=5))
            lounge = programme.lounge()
    nominee, applicant = top[4], top[5]
    for nominator in top[:2]:
        programme.nominate(nominee, nominator, f"{nominee.name} answers newcomers kindly and fast, every week.",
                           now=now - timedelta(days=6))
    applicant.created_at = min(aware(applicant.created_at), now - timedelta(days=120))
    row = levels.refresh(applicant)
    if row is not None and row.level <= 2:
        programme.apply(applicant, "I enjoy helping with dashboards and would love to run a meetup in my city.",
                        now=now - timedelta(days=3))
    forums.create_topic(manager, lounge, "Welcome to the advocates' lounge",
                        "This is our own room: plans for the next meetups, first tasks, and anything you'd like the "
                        "community team to know. Say hello!", limits=False)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


QUESTIONS = ("How do I keep a scheduled export from timing out", "Why does our SSO login loop back to the start",
             "Can a dashboard filter follow the viewer's region")
ANSWERS = (
    "Split the export by month and run the parts in sequence: each stays under the 10-minute limit, and the "
    "scheduler retries a failed part on its own.",
    "The loop comes from the redirect URL: it must match the one registered with your identity provider exactly, "
    "trailing slash included.",
    "Yes: add a user attribute for the region and use it in the filter's default. Each viewer then sees their "
    "own region first.",
)
