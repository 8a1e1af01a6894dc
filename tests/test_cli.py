"""The commands a deployer runs: users create, demo load, mail send."""

from sqlalchemy import func, select

from community.accounts.models import User
from community.core.models import MailMessage
from community.core.timeutil import aware, utcnow
from community.demo import PEOPLE
from community.extensions import db
from community.forums.models import Category, Flag, Notification, PostRevision, Topic
from tests.factories import make_member


def test_users_create_makes_a_confirmed_admin(runner, client, login):
    result = runner.invoke(args=["users", "create", "boss@example.com", "--role", "admin",
                                 "--password", "a very good password"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss <boss@example.com>" in result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role == "admin" and user.email_verified_at is not None
    assert login("boss", password="a very good password").status_code == 302


def test_users_create_refuses_a_taken_address(runner, app):
    make_member("lena", email="lena@example.com")
    result = runner.invoke(args=["users", "create", "lena@example.com", "--username", "lena2",
                                 "--password", "a very good password"])
    assert result.exit_code != 0 and "That address is already registered" in result.output


def test_demo_load_creates_the_community_once(runner, client, login):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "ada" in result.output and "admin" in result.output and "password:" in result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "manager": 1, "moderator": 2, "member": len(PEOPLE) - 4 + 1 + 3}  # + a spammer
    # and the three accounts of a thanks ring
    assert len(PEOPLE) >= 34
    assert db.session.scalar(select(func.count()).where(User.bio_html == "")) == 0
    topics = db.session.execute(select(func.count(Topic.id), func.count(Topic.accepted_post_id),
                                       func.count(Topic.id).filter(Topic.reply_count == 0),
                                       func.count(func.distinct(Topic.author_id)), func.min(Topic.created_at))).one()
    assert topics[0] >= 60 and topics[1] >= 20 and topics[2] >= 5 and topics[3] >= 15
    assert (utcnow() - aware(topics[4])).days >= 120  # history spread over months, not one day
    assert db.session.scalar(select(func.count(Category.id))) == 7  # with the advocates' lounge
    assert db.session.scalar(select(func.count(MailMessage.id))) == 0  # the demo's history mails nobody
    read, unread = db.session.execute(select(func.count(Notification.read_at), func.count(Notification.id))).one()
    assert 0 < read < unread  # older news is read, the last week's waits on the bell
    assert db.session.scalar(select(func.sum(User.unread_notifications))) == unread - read
    levels = dict(db.session.execute(select(User.trust_level, func.count()).where(User.role == "member")
                                     .group_by(User.trust_level)).all())
    assert len(levels) >= 2 and max(levels) >= 2, levels  # levels earned from the demo's reading history
    intro = db.session.scalar(select(Topic).where(Topic.title.startswith("Introduce yourself")))
    assert intro.pinned_at is not None and intro.category.kind == "discussion" and intro.reply_count == 3
    assert db.session.scalar(select(func.count(PostRevision.id))) == 2  # an edit, with its history
    assert db.session.scalar(select(func.count(func.distinct(Flag.post_id))).where(Flag.resolved_at.is_(None))) == 1
    _assert_demo_events(runner)
    _assert_demo_programme()
    again = runner.invoke(args=["demo", "load"]).output
    assert "nothing loaded" in again and "maria  manager" in again
    assert login("maria", password="harbor-demo-2026").status_code == 302


def _assert_demo_events(runner):
    """Three chapters (two cities, one online); past events with attendance and survey answers; upcoming ones:
    one full with a waitlist, a series, a party whose checklist is half done; the seats ledger in step."""
    from community.core.timeutil import utcnow as now
    from community.events.models import RSVP, Chapter, Event, SurveyAnswer, Task

    chapters = list(db.session.scalars(select(Chapter)))
    assert len(chapters) == 3 and sum(1 for c in chapters if c.city) == 2
    past = list(db.session.scalars(select(Event).where(Event.ends_at < now())))
    assert len(past) == 3 and all(e.closed_at for e in past)
    states = dict(db.session.execute(select(RSVP.state, func.count()).group_by(RSVP.state)).all())
    assert states["checked_in"] >= 20 and states["no_show"] >= 3 and states["waitlisted"] >= 3
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) >= 15
    full = db.session.scalar(select(Event).where(Event.capacity == Event.seats_taken, Event.ends_at > now()))
    assert full is not None
    series = db.session.execute(select(Event.series_id, func.count()).where(Event.series_id.is_not(None))
                                .group_by(Event.series_id)).all()
    assert len(series) == 1 and series[0][1] >= 4
    done, total = db.session.execute(select(func.count(Task.id).filter(Task.status == "done"),
                                            func.count(Task.id))).one()
    assert total >= 6 and 0 < done < total
    assert runner.invoke(args=["events", "check-seats"]).exit_code == 0


def _assert_demo_programme():
    """A believable ledger replayed from the history, rising stars with evidence, one flagged ring of three."""
    from community.advocates import rising
    from community.advocates.models import LedgerEntry

    kinds = dict(db.session.execute(select(LedgerEntry.kind, func.count()).group_by(LedgerEntry.kind)).all())
    assert kinds["accepted_answer"] >= 20 and kinds["thanks"] >= 100 and kinds["attended"] >= 20
    oldest = db.session.scalar(select(func.min(LedgerEntry.created_at)))
    assert (utcnow() - aware(oldest)).days >= 90  # the ledger has the history's dates, not the load's
    stars, rings = rising.stars()
    assert 2 <= len(stars) <= 3 and all("accepted answers for" in star.evidence() for star in stars)
    assert [sorted(user.username for user in ring) for ring in rising.ring_members(rings)] == [
        ["deal_finder", "deal_keeper", "deal_maker"]]
    from community.advocates import celebrations

    assert len(celebrations.shown()) >= 10  # recent celebrations for the spotlight and the home page


def test_mail_send_delivers_what_waited_in_the_outbox(runner, app, smtp, client):
    app.config["MAIL_PORT"] = 1  # nothing listens there: the mail stays in the outbox
    client.submit("/account/register", {"username": "newbie", "email": "newbie@example.com",
                                        "password": "a long enough secret", "time_zone": "UTC"})
    waiting = db.session.scalar(select(MailMessage))
    assert waiting.sent_at is None and waiting.last_error and waiting.attempts == 1
    app.config["MAIL_PORT"] = smtp.port
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 of 1 message(s)." in result.output
    assert [m["To"] for m in smtp.wait_for(1)] == ["newbie@example.com"]
    assert "Sent 0 of 0" in runner.invoke(args=["mail", "send"]).output


def test_users_create_applies_the_username_rules(runner, app):
    result = runner.invoke(args=["users", "create", "a@example.com", "--password", "a very good password"])
    assert result.exit_code != 0 and "Use 3 to 30 letters" in result.output
    long_name = "x" * 40
    result = runner.invoke(args=["users", "create", f"{long_name}@example.com", "--password", "a very good password"])
    assert result.exit_code != 0 and "Use 3 to 30 letters" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
