"""What members must not learn or be told twice: deleted and private content stays out of mail and the bell, merged
private topics don't lead outsiders anywhere, and the moderation rules that keep topics honest."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.core.errors import NotAllowed, NotFound
from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import mailing, moderation, notifications
from community.forums import services as forums
from community.forums.models import ModeratorAction, Notification, Post, Topic
from tests.factories import make_category, make_member, make_reply, make_topic


def url(topic):
    return f"/t/{topic.id}-{topic.slug}"


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def opening(topic):
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def sentences(user):
    db.session.expire_all()
    return [notifications.describe(n) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def unread(user):
    return fresh(User, user.id).unread_notifications


# 1. The digest ---------------------------------------------------------------------------------------------------

def test_the_digest_leaves_out_deleted_hidden_and_private_content_and_never_offers_it_again(app, smtp):
    asker = make_member("asker", mail="digest")
    mod = make_member("mod", role="moderator")
    staff = make_category("staff", "discussion", name="Staff room", min_role="moderator")
    kept = make_topic(asker, title="Sync times out after a minute")
    gone = make_topic(asker, title="A topic deleted since the reply")
    hidden = make_topic(asker, title="A topic whose reply was hidden")
    moved = make_topic(asker, title="A topic moved to the staff room")
    marked = make_topic(asker, title="A topic gone by a path that sends no signal")
    for topic in (kept, gone, hidden, moved, marked):
        make_reply(topic, make_member(display_name="Helper"), body="Here is an answer that should help you.")
    moderation.delete_post(opening(gone), mod, "Spam")
    flagged = db.session.scalar(select(Post).where(Post.topic_id == hidden.id, Post.number == 2))
    flagged.hidden_at = utcnow()  # as the flags do: the post is out of sight until a moderator looks
    moderation.move_topic(moved, staff, mod)
    marked.deleted_at = utcnow()
    db.session.commit()
    smtp.messages.clear()

    assert mailing.send_digests() == (1, 1)
    db.session.commit()
    [mail] = [m for m in smtp.wait_for(1) if m["To"] == "asker@example.com"]
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Your daily digest: 1 update from the community"
    assert "Sync times out after a minute" in text
    for topic in (gone, hidden, moved, marked):
        assert topic.title not in text
    waiting = select(Notification.id).where(Notification.user_id == asker.id, Notification.mailed_at.is_(None))
    assert db.session.scalars(waiting).all() == []  # the skipped ones don't wait for a later digest


# 2. The bell follows deletions -----------------------------------------------------------------------------------

def test_deleting_a_reply_or_a_topic_takes_its_unread_notifications_off_the_bell(client, login, app):
    asker, ana = make_member("asker"), make_member("ana")
    topic = make_topic(asker, title="Sync times out after a minute")
    spam = make_reply(topic, make_member("spammer", display_name="Spammer"), body="Buy cheap pills here, @ana.")
    make_reply(topic, make_member("helper", display_name="Helper"), body="Raise the timeout to 120 seconds.")
    assert (unread(asker), unread(ana)) == (2, 1)
    moderation.delete_post(spam, make_member("mod", role="moderator"), "Spam")
    db.session.commit()
    assert (unread(asker), unread(ana)) == (1, 0)
    assert sentences(asker) == ["Helper replied to your topic “Sync times out after a minute”"]
    assert sentences(ana) == []
    login("asker")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Spammer" not in page and "1 unread." in page
    notifications.mark_all_read(fresh(User, asker.id))
    make_reply(topic, make_member("late", display_name="Late"), body="Same here since Monday, sadly.")
    other = make_topic(make_member("other"), title="Another topic, another bell")
    forums.post_reply(other, asker, "I have the same problem on my side.")
    db.session.commit()
    assert unread(asker) == 1
    moderation.delete_post(opening(topic), make_member("mod2", role="moderator"), "Duplicate")
    db.session.commit()
    assert unread(asker) == 0 and unread(other.author) == 1
    assert sentences(asker) == ["Helper replied to your topic “Sync times out after a minute”"]  # read ones stay
    assert 'class="bell-count"' not in client.get("/").get_data(as_text=True)


# 3. Thanks taken back --------------------------------------------------------------------------------------------

def test_thanks_given_and_taken_back_again_and_again_count_one_person_once(app):
    helper = make_member("helper")
    post = make_reply(make_topic(), helper)
    bea = make_member("bea", display_name="Bea")
    for _ in range(3):
        forums.thank(post, bea)
        forums.unthank(post, bea)
    forums.thank(post, bea)
    db.session.commit()
    assert [s.split(" in ")[0] for s in sentences(helper)] == ["Bea thanked your post"]
    assert unread(helper) == 1
    ana = make_member("ana", display_name="Ana")
    forums.thank(post, ana)
    forums.unthank(post, ana)  # the latest thanker takes it back: the row names the one still thanking
    db.session.commit()
    assert [s.split(" in ")[0] for s in sentences(helper)] == ["Bea thanked your post"]
    forums.unthank(post, bea)
    db.session.commit()
    assert sentences(helper) == [] and unread(helper) == 0


# 4. Merged private topics ----------------------------------------------------------------------------------------

@pytest.fixture
def moderator(login):
    mod = make_member("mod", role="moderator")
    login("mod")
    return mod


def test_a_merged_private_topic_leads_only_those_who_may_read_the_target(client, login, moderator, app):
    team = make_category("team", "discussion", name="Team room", min_role="moderator")
    source = make_topic(make_member(role="moderator"), team, "Rota for the summer weekends")
    target = make_topic(make_member(role="moderator"), team, "Rota for the whole summer")
    assert client.submit(f"/t/{source.id}/merge", {"target": str(target.id)}).status_code == 302
    assert client.get(f"/t/{source.id}").headers["Location"] == url(target)
    client.submit("/account/logout", page="/")
    for who in (None, make_member("reader").username):
        if who:
            login(who)
        for address in (f"/t/{source.id}", url(source)):
            response = client.get(address)
            assert response.status_code == 404 and target.slug not in response.headers.get("Location", ""), who


def test_a_merged_topic_whose_target_moved_out_of_sight_or_was_deleted_is_not_found(client, login, moderator, app):
    team = make_category("team", "discussion", name="Team room", min_role="moderator")
    source, target = make_topic(), make_topic(title="Where the posts of both topics now live")
    assert client.submit(f"/t/{source.id}/merge", {"target": str(target.id)}).status_code == 302
    moderation.move_topic(fresh(Topic, target.id), team, moderator)
    db.session.commit()
    client.submit("/account/logout", page="/")
    assert client.get(f"/t/{source.id}").status_code == 404
    other_source, other_target = make_topic(), make_topic(title="A target its moderator deletes later")
    login("mod")
    assert client.submit(f"/t/{other_source.id}/merge", {"target": str(other_target.id)}).status_code == 302
    moderation.delete_post(opening(other_target), moderator, "Wrong place")
    db.session.commit()
    assert client.get(f"/t/{other_source.id}").status_code == 301  # moderators still follow it
    client.submit("/account/logout", page="/")
    assert client.get(f"/t/{other_source.id}").status_code == 404


def test_the_merge_form_hides_topics_the_moderator_cannot_see(client, moderator, app):
    board = make_category("board", "discussion", name="Board room", min_role="manager")
    secret = make_topic(make_member(role="manager"), board, "Acquisition talks with a competitor")
    topic = make_topic()
    for typed in (str(secret.id), url(secret), "999"):
        response = client.submit(f"/t/{topic.id}/merge", {"target": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "No topic with that number" in page, typed
        assert "Acquisition" not in page and "Board room" not in page
    assert fresh(Topic, topic.id).merged_into_id is None


def test_a_private_topic_merges_only_into_a_topic_with_the_same_readers(client, moderator, app):
    team = make_category("team", "discussion", name="Team room", min_role="moderator")
    private = make_topic(make_member(role="moderator"), team, "Staff notes on the outage last night")
    public = make_topic(title="The outage last night, for everyone")
    response = client.submit(f"/t/{private.id}/merge", {"target": str(public.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This topic is in the private category Team room" in page
    assert fresh(Topic, private.id).merged_into_id is None
    other = make_topic(make_member(role="moderator"), team, "More staff notes on the outage")
    assert client.submit(f"/t/{private.id}/merge", {"target": str(other.id)}).status_code == 302


# 5. Deleting posts -----------------------------------------------------------------------------------------------

def test_deleting_the_last_reply_gives_the_topic_its_previous_last_poster_and_restoring_takes_it_back(app):
    asker, helper, late = make_member("asker"), make_member("helper"), make_member("late")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    last = make_reply(topic, late)
    last.created_at = answer.created_at + timedelta(minutes=5)
    fresh_topic = fresh(Topic, topic.id)
    fresh_topic.last_posted_at = last.created_at
    db.session.commit()
    moderation.delete_post(fresh(Post, last.id), late)
    db.session.commit()
    topic = fresh(Topic, topic.id)
    assert (topic.last_poster_id, topic.last_posted_at, topic.reply_count) == (
        helper.id, fresh(Post, answer.id).created_at, 1)
    moderation.restore_post(fresh(Post, last.id), make_member("mod", role="moderator"))
    db.session.commit()
    topic = fresh(Topic, topic.id)
    assert (topic.last_poster_id, topic.last_posted_at, topic.reply_count) == (
        late.id, fresh(Post, last.id).created_at, 2)


def test_an_author_deletes_their_topic_only_while_nobody_else_replied(client, login, app):
    author = make_member("author")
    topic = make_topic(author, title="A question someone answered already")
    make_reply(topic, author, body="Some more details about my setup here.")
    answer = make_reply(topic, make_member("helper"), body="Here is the answer, step by step.")
    login("author")
    first = opening(topic)
    response = client.submit(f"/p/{first.id}/delete", page=url(topic))
    assert response.status_code == 409
    assert "Others have replied here: ask a moderator to remove the topic, or edit your post." in \
        response.get_data(as_text=True)
    assert fresh(Topic, topic.id).deleted_at is None
    moderation.delete_post(fresh(Post, answer.id), make_member("mod", role="moderator"))
    db.session.commit()
    assert client.submit(f"/p/{first.id}/delete", page=url(topic)).status_code == 302  # only their own reply left
    assert fresh(Topic, topic.id).deleted_at is not None
    other = make_topic(author, title="Another question, also answered")
    make_reply(other, make_member("helper2"))
    moderation.delete_post(opening(other), make_member("mod2", role="moderator"))  # moderators may
    db.session.commit()
    assert fresh(Topic, other.id).deleted_at is not None


# 6. Deleted topics and posts take nothing --------------------------------------------------------------------------

def test_nobody_replies_to_a_deleted_topic_or_thanks_a_deleted_post(client, login, app):
    mod = make_member("mod", role="moderator")
    topic = make_topic(title="A topic a moderator deleted")
    reply = make_reply(topic)
    moderation.delete_post(opening(topic), mod)
    db.session.commit()
    with pytest.raises(NotFound):
        forums.post_reply(fresh(Topic, topic.id), mod, "A reply to a topic nobody can read.")
    login("mod")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "A reply to a topic nobody can read."}, page=url(topic))
    assert response.status_code == 404
    live = make_topic()
    gone = make_reply(live)
    moderation.delete_post(gone, gone.author)
    db.session.commit()
    with pytest.raises(NotFound):
        forums.thank(fresh(Post, gone.id), make_member())
    with pytest.raises(NotFound):
        forums.thank(fresh(Post, reply.id), make_member())  # a reply in a deleted topic is gone too
    assert fresh(Post, gone.id).thanks_count == 0


# 7. Announcements ------------------------------------------------------------------------------------------------

def test_moderators_open_announcements_and_members_are_told_who_does(app):
    news = make_category("news", kind="announcements", name="News")
    topic = forums.create_topic(make_member(role="moderator"), news, "Maintenance on Sunday morning",
                                "The forum is read-only from 6:00 to 8:00 UTC.")
    assert topic.id
    with pytest.raises(NotAllowed, match="Only moderators and the community team open topics in News"):
        forums.create_topic(make_member(), news, "My own announcement here", "Members can reply, not announce.")


# 8. Reasons in the moderator log ---------------------------------------------------------------------------------

def test_pin_close_delete_and_restore_keep_the_reason_in_the_moderator_log(client, moderator, app):
    topic = make_topic()
    reply = make_reply(topic)
    for action, data in (("pin", {"pinned": "1"}), ("close", {"closed": "1"})):
        response = client.submit(f"/t/{topic.id}/{action}", {**data, "reason": f"Why {action}"}, page=url(topic))
        assert response.status_code == 302
    for action in ("delete", "restore"):
        response = client.submit(f"/p/{reply.id}/{action}", {"reason": f"Why {action}"}, page=url(topic))
        assert response.status_code == 302
    log = [(e.action, e.reason) for e in db.session.scalars(select(ModeratorAction).order_by(ModeratorAction.id))]
    assert log == [("pin", "Why pin"), ("close", "Why close"), ("delete_post", "Why delete"),
                   ("restore_post", "Why restore")]
