"""Forum rules, as the services enforce them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community import signals
from community.core.errors import Conflict, Invalid, NotAllowed, TooMany
from community.core.timeutil import local, utcnow
from community.extensions import db
from community.forums import services
from community.forums.models import Post, Thanks, Topic
from tests.factories import make_category, make_member, make_reply, make_topic


@pytest.fixture
def received():
    """Signals sent during the test: [(name, sender, kwargs)]."""
    log = []
    names = ["topic_created", "question_asked", "reply_posted", "answer_accepted", "answer_unaccepted",
             "post_thanked", "post_unthanked"]
    handlers = []
    for name in names:
        def handler(sender, _name=name, **kwargs):
            log.append((_name, sender, kwargs))
        getattr(signals, name).connect(handler)
        handlers.append((name, handler))
    yield log
    for name, handler in handlers:
        getattr(signals, name).disconnect(handler)


def test_a_question_opens_with_its_first_post_tags_and_signals(app, received):
    asker = make_member("asker")
    topic = make_topic(asker, make_category(), "How do I connect my warehouse?", tags=["Setup", "#sso", "setup"])
    assert [t.name for t in topic.tags] == ["setup", "sso"]
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert first.number == 1 and first.author_id == asker.id and topic.category.topic_count == 1
    assert [name for name, _, _ in received] == ["topic_created", "question_asked"]


@pytest.mark.parametrize("title, body, tags, field", [
    ("Too short", "Long enough body for the rules here.", [], "title"),
    ("A title that is long enough", "short", [], "body"),
    ("A title that is long enough", "Long enough body for the rules here.", ["a", "b", "c", "d", "e", "f"], "tags"),
    ("A title that is long enough", "Long enough body for the rules here.", ["no spaces allowed"], "tags"),
])
def test_bad_topics_are_refused_naming_the_field(app, title, body, tags, field):
    with pytest.raises(Invalid) as refused:
        services.create_topic(make_member(), make_category(), title, body, tags)
    assert refused.value.field == field


def test_the_same_title_twice_in_five_minutes_is_refused(app):
    asker, category = make_member(), make_category()
    make_topic(asker, category, "How do I connect my warehouse?")
    with pytest.raises(Conflict):
        services.create_topic(asker, category, "how do I connect  my warehouse?", "Long enough body, again here.")


def test_only_staff_open_announcements_but_members_reply(app):
    news = make_category("news", kind="announcements")
    with pytest.raises(NotAllowed):
        services.create_topic(make_member(), news, "We have a new release today", "Long enough body for this.")
    topic = make_topic(make_member(role="manager"), news, "We have a new release today")
    assert make_reply(topic).number == 2


def test_replies_are_numbered_and_counted(app, received):
    topic = make_topic()
    replies = [make_reply(topic) for _ in range(3)]
    db.session.refresh(topic)
    assert [p.number for p in replies] == [2, 3, 4]
    assert topic.reply_count == 3 and topic.highest_post_number == 4
    assert topic.last_poster_id == replies[-1].author_id
    assert [n for n, _, _ in received].count("reply_posted") == 3


def test_a_closed_topic_refuses_replies_with_409(app):
    topic = make_topic()
    topic.locked_at = topic.created_at
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        services.post_reply(topic, make_member(), "A reply that is long enough to count.")
    assert refused.value.status == 409


def test_the_asker_accepts_moves_and_unaccepts_an_answer(app, received):
    asker = make_member("asker")
    topic = make_topic(asker)
    first, second = make_reply(topic), make_reply(topic)
    services.accept_answer(topic, first, asker)
    services.accept_answer(topic, second, asker)
    assert topic.accepted_post_id == second.id
    services.unaccept_answer(topic, asker)
    assert topic.accepted_post_id is None
    events = [(n, s.id) for n, s, _ in received if n.startswith("answer")]
    assert events == [("answer_accepted", first.id), ("answer_unaccepted", first.id),
                      ("answer_accepted", second.id), ("answer_unaccepted", second.id)]


def test_a_moderator_may_accept_but_another_member_may_not(app):
    topic = make_topic(make_member("asker"))
    reply = make_reply(topic)
    with pytest.raises(NotAllowed):
        services.accept_answer(topic, reply, make_member("bystander"))
    services.accept_answer(topic, reply, make_member("mod", role="moderator"))
    assert topic.accepted_post_id == reply.id


def test_a_community_leader_at_trust_level_4_may_accept_and_a_regular_may_not(app):
    topic = make_topic(make_member("asker"))
    first, second = make_reply(topic), make_reply(topic)
    regular, leader = make_member("regular"), make_member("leader")
    regular.trust_level, leader.trust_level = 3, 4
    with pytest.raises(NotAllowed, match="a community leader"):
        services.accept_answer(topic, first, regular)
    services.accept_answer(topic, first, leader)
    services.accept_answer(topic, second, leader)  # and moves it
    assert topic.accepted_post_id == second.id
    assert services.can_accept(leader, topic) and not services.can_accept(regular, topic)


def test_accepting_ones_own_answer_is_marked_as_earning_nothing(app, received):
    asker = make_member("asker")
    topic = make_topic(asker)
    services.accept_answer(topic, make_reply(topic, asker), asker)
    [(_, _, kwargs)] = [r for r in received if r[0] == "answer_accepted"]
    assert kwargs["self_answer"] is True


def test_the_question_itself_and_discussions_have_no_accepted_answer(app):
    asker = make_member("asker")
    topic = make_topic(asker)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    with pytest.raises(Invalid):
        services.accept_answer(topic, first, asker)
    chat = make_topic(asker, make_category("chat", kind="discussion"))
    with pytest.raises(Invalid):
        services.accept_answer(chat, make_reply(chat), asker)


def test_thanks_once_per_post_never_ones_own(app, received):
    reply = make_reply(make_topic(), make_member("helper"))
    fan = make_member("fan")
    services.thank(reply, fan)
    assert db.session.get(Post, reply.id).thanks_count == 1
    with pytest.raises(Conflict):
        services.thank(reply, fan)
    with pytest.raises(NotAllowed):
        services.thank(reply, reply.author)
    assert [n for n, _, _ in received].count("post_thanked") == 1


def test_thanks_can_be_undone_within_ten_minutes_only(app):
    reply = make_reply(make_topic())
    fan = make_member("fan")
    services.thank(reply, fan)
    services.unthank(reply, fan)
    db.session.refresh(reply)
    assert reply.thanks_count == 0
    thanks = services.thank(reply, fan)
    thanks.created_at = thanks.created_at - timedelta(minutes=11)
    db.session.flush()
    with pytest.raises(Conflict):
        services.unthank(reply, fan)


def test_fifty_thanks_a_day_then_the_limit_says_when_it_lifts(app):
    app.config["FORUM_THANKS_PER_DAY"] = 3
    topic, fan = make_topic(), make_member("fan", time_zone="Asia/Tokyo")
    replies = [make_reply(topic) for _ in range(5)]
    old = services.thank(replies[0], fan)
    old.created_at = utcnow() - timedelta(hours=25)  # more than a day ago: no longer counts
    first = services.thank(replies[1], fan)
    first.created_at = utcnow() - timedelta(hours=20)
    services.thank(replies[2], fan)
    services.thank(replies[3], fan)
    with pytest.raises(TooMany) as refused:
        services.thank(replies[4], fan)
    lifts = local(first.created_at + timedelta(days=1), "Asia/Tokyo")
    assert refused.value.status == 429
    assert f"You can thank again from {lifts:%-d %B at %H:%M} (Asia/Tokyo)." in refused.value.message
    assert abs((refused.value.retry_at - (first.created_at + timedelta(days=1))).total_seconds()) < 1
    assert db.session.scalar(select(Thanks).where(Thanks.post_id == replies[4].id)) is None


def test_a_discussion_answer_is_refused_with_403_for_a_bystander_before_anything_else(app):
    chat = make_topic(make_member("asker"), make_category("chat", kind="discussion"))
    with pytest.raises(NotAllowed):
        services.accept_answer(chat, make_reply(chat), make_member("bystander"))


def test_post_numbers_survive_many_replies(app):
    topic = make_topic()
    for _ in range(25):
        make_reply(topic)
    numbers = list(db.session.scalars(select(Post.number).where(Post.topic_id == topic.id).order_by(Post.number)))
    assert numbers == list(range(1, 27))
    assert db.session.get(Topic, topic.id).reply_count == 25


def test_a_members_first_post_is_marked_so_others_greet_them(app, client):
    newcomer = make_member("newcomer")
    topic = make_topic(make_member("host"))
    hello = make_reply(topic, newcomer, "Hello everyone, glad to be here at last!")
    again = make_reply(topic, newcomer, "And a second post, which is not my first.")
    assert hello.first_of_author and not again.first_of_author
    page = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert page.count("First post — say hello!") == 2  # the host's opening post and the newcomer's hello
