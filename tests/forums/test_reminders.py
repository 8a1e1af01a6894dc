"""`flask forums reminders`: askers whose question has replies but no accepted answer after 3 days are asked, once,
whether an answer solved it."""

import re
from datetime import timedelta

from sqlalchemy import select

from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import moderation, reminders, services
from community.forums.models import Notification, Post, Topic
from tests.factories import make_category, make_member, make_reply, make_topic


def question(days_old=4, replies=1, category=None, title=None, asker=None):
    asker = asker or make_member()
    topic = make_topic(asker, category, title=title)
    for _ in range(replies):
        make_reply(topic)
    topic.created_at = utcnow() - timedelta(days=days_old)
    db.session.commit()
    return topic


def reminded():
    """{topic id: asker id} of every reminder notification."""
    return dict(db.session.execute(select(Notification.topic_id, Notification.user_id)
                                   .where(Notification.kind == "reminder")).all())


def run(runner):
    result = runner.invoke(args=["forums", "reminders"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_an_asker_is_reminded_once_and_never_again(runner, app):
    topic = question(title="Why does the export stop at 10,000 rows?")
    assert run(runner) == "Reminded 1 asker."
    assert reminded() == {topic.id: topic.author_id}
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).reminded_at is not None
    assert run(runner) == "Reminded 0 askers."
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "reminder").offset(1)) is None


def test_young_unanswered_solved_deleted_and_discussion_topics_are_skipped(runner, app):
    due = question()
    question(days_old=2)  # younger than 3 days
    question(replies=0)  # nobody replied yet
    solved = question()
    services.accept_answer(solved, db.session.scalar(select(Post).where(Post.topic_id == solved.id,
                                                                        Post.number == 2)), solved.author)
    deleted = question()
    moderation.delete_post(db.session.scalar(select(Post).where(Post.topic_id == deleted.id, Post.number == 1)),
                           make_member(role="moderator"))
    db.session.commit()
    question(category=make_category("ideas", "discussion"))
    question(category=make_category("news", "announcements"), asker=make_member(role="manager"))
    assert run(runner) == "Reminded 1 asker."
    assert reminded() == {due.id: due.author_id}


def test_the_waiting_time_is_a_setting(runner, app):
    app.config["FORUM_SOLVED_REMINDER_DAYS"] = 1
    topic = question(days_old=2)
    question(days_old=0.5)
    assert run(runner) == "Reminded 1 asker."
    assert list(reminded()) == [topic.id]


def test_many_due_questions_are_found_in_batches_with_a_bounded_number_of_queries(runner, app, monkeypatch,
                                                                                     count_queries):
    topics = [question() for _ in range(5)]
    monkeypatch.setattr(reminders, "BATCH", 2)
    assert run(runner) == "Reminded 5 askers."
    assert reminded() == {t.id: t.author_id for t in topics}
    assert run(runner) == "Reminded 0 askers."

    def cost(count):
        for _ in range(count):
            question()
        db.session.query(Notification).delete()
        db.session.commit()
        with count_queries() as counter:
            reminders.remind_askers(limit=100)
        db.session.commit()
        return len([s for s in counter.statements if re.match(r"\s*SELECT\b.*\b(FROM|JOIN) topics\b", s, re.S)])

    assert cost(2) == cost(8) == 1  # one query finds them all, however many are due
