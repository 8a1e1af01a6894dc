"""Watching, notifications and the mail that follows them, as members notice them."""

import re

from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db
from community.forums import editing, mailing, notifications
from community.forums import services as forums
from community.forums.models import Notification, Watch
from tests.checkers import nu_errors
from tests.factories import make_category, make_member, make_reply, make_topic


def notes(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def fresh(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_reply_mails_the_asker_once_after_commit_and_not_the_replier(client, login, app, smtp):
    asker, helper = make_member("asker"), make_member("helper", display_name="Helper")
    topic = make_topic(asker, title="Sync times out after a minute")
    login("helper")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "Raise the timeout to 120 seconds, @asker."},
                             page=f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 302
    mails = smtp.wait_for(1)
    assert [m["To"] for m in mails] == ["asker@example.com"]  # mentioned and the asker: one mail, not two
    mail = mails[0]
    assert mail["Subject"] == "Helper mentioned you in “Sync times out after a minute”"
    assert mail["Reply-To"] == app.config["MAIL_REPLY_TO"] and "noreply" not in mail["From"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = mail.get_body(("plain",)).get_content()
    assert "Raise the timeout to 120 seconds" in body and "/p/" in body
    assert [n.kind for n in notes(asker)] == ["mention"] and notes(helper) == []
    assert db.session.scalar(select(Watch.level).where(Watch.user_id == helper.id, Watch.topic_id == topic.id)) \
        == "watching"


def test_the_unsubscribe_link_stops_forum_mail_in_one_click(client, app, smtp):
    asker = make_member("asker")
    topic = make_topic(asker)
    make_reply(topic, make_member("helper"), body="Here is one way to do it, step by step.")
    url = re.search(r"<(http[^>]+)>", smtp.wait_for(1)[0]["List-Unsubscribe"]).group(1)
    path = url.split("localhost", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "Stop forum mail" in page.get_data(as_text=True)
    assert fresh(asker).email_notifications == "immediate"  # opening the link changes nothing
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # as a mail client does: no form, no token
    assert done.status_code == 200 and "won't get forum mail" in done.get_data(as_text=True)
    assert fresh(asker).email_notifications == "none"
    smtp.messages.clear()
    make_reply(topic, make_member("other"), body="Another answer that could help you here.")
    assert [m["To"] for m in smtp.wait_for(2, timeout=0.5)] == ["helper@example.com"]  # the other watcher only
    assert len(notes(asker, "reply")) == 2  # the bell still tells
    assert client.post("/notifications/unsubscribe/forged-token").status_code == 400


def test_no_mail_and_no_notification_when_the_reply_is_rolled_back(app, smtp):
    asker = make_member("asker")
    topic = make_topic(asker)
    forums.post_reply(topic, make_member("helper"), "An answer that never makes it to the database.")
    db.session.rollback()
    assert smtp.wait_for(1, timeout=0.5) == []
    assert notes(asker) == [] and fresh(asker).unread_notifications == 0


def test_a_locked_topic_refuses_the_reply_and_sends_nothing(client, login, app, smtp):
    topic = make_topic(make_member("asker"))
    topic.locked_at = topic.created_at
    db.session.commit()
    make_member("helper")
    login("helper")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "A reply to a closed topic, kept here."},
                             page=f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 409 and "This topic is closed" in response.get_data(as_text=True)
    assert smtp.wait_for(1, timeout=0.5) == []


def test_watchers_hear_of_replies_trackers_and_muted_members_do_not(app, smtp):
    category = make_category()
    asker, watcher, tracker, muted = (make_member(n) for n in ("asker", "watcher", "tracker", "muted"))
    topic = make_topic(asker, category)
    notifications.set_watch(watcher, "watching", category=category)
    notifications.set_watch(tracker, "tracking", topic=topic)
    notifications.set_watch(muted, "watching", category=category)
    notifications.set_watch(muted, "muted", topic=topic)  # the topic's own level wins
    db.session.commit()
    make_reply(topic, make_member("helper"), body="Try the advanced settings, @muted, it worked for me.")
    assert [n.kind for n in notes(watcher)] == ["watched"]
    assert notes(tracker) == [] and notes(muted) == []
    assert sorted(m["To"] for m in smtp.wait_for(2)) == ["asker@example.com", "watcher@example.com"]


def test_a_category_watcher_hears_of_new_topics_and_private_topics_stay_private(app):
    public, staff = make_category(), make_category("staff-room", kind="discussion", min_role="moderator")
    member, moderator = make_member("member"), make_member("mod", role="moderator")
    for user in (member, moderator):
        notifications.set_watch(user, "watching", category=public)
    db.session.commit()
    topic = make_topic(make_member("asker", display_name="Asker"), public, "A new question about exports")
    assert [notifications.describe(n) for n in notes(member)] == [
        "Asker opened “A new question about exports” in Questions, which you watch"]
    make_topic(make_member("lead", role="moderator"), staff, "Moderators only: the rota",
               "Who covers the weekend? @member")
    assert len(notes(member)) == 1  # a mention in a category they can't see tells them nothing
    assert topic.id


def test_mentions_in_code_and_in_addresses_notify_nobody_and_an_edit_notifies_only_new_mentions(app):
    ana, ben = make_member("ana"), make_member("ben")
    topic = make_topic(make_member("asker"), body="Write to ana@example.com or run `@ana` in the shell, please.")
    assert notes(ana) == []
    post = make_reply(topic, make_member("helper"), body="Thanks @ana for the idea yesterday.")
    assert [n.kind for n in notes(ana)] == ["mention"]
    editing.edit_post(post, post.author, "Thanks @ana and @ben for the idea yesterday.")
    db.session.commit()
    assert len(notes(ana)) == 1 and [n.kind for n in notes(ben)] == ["mention"]


def test_thanks_are_batched_and_an_accepted_answer_is_told(app):
    asker, helper = make_member("asker"), make_member("helper")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    for name in ("ana", "ben", "cleo"):
        forums.thank(answer, make_member(name, display_name=name.capitalize()))
    forums.accept_answer(topic, answer, asker)
    db.session.commit()
    thanks = notes(helper, "thanks")
    assert len(thanks) == 1 and thanks[0].others == 2
    assert notifications.describe(thanks[0]).startswith("Cleo and 2 others thanked your post")
    assert [n.kind for n in notes(helper, "accepted")] == ["accepted"]
    assert fresh(helper).unread_notifications == 2


def test_the_list_pages_newest_first_and_a_new_thank_you_lifts_its_batch(client, login, app):
    asker = make_member("asker")
    topic = make_topic(asker, title="Sync times out after a minute")
    answer = make_reply(topic, asker, body="Found it myself: the proxy cut the connection after 60 s.")
    forums.thank(answer, make_member("ana", display_name="Ana"))
    for i in range(31):
        make_reply(topic, make_member(f"helper{i}", display_name=f"Helper {i}"))
    forums.thank(answer, make_member("ben", display_name="Ben"))  # joins the oldest unread row: now the newest
    db.session.commit()
    login("asker")
    first = client.get("/notifications").get_data(as_text=True)
    assert first.index("Ben and 1 other thanked your post") < first.index("Helper 30 replied")
    assert "Helper 0 replied" not in first
    after = re.search(r'after=([^"&]+)"', first).group(1)
    second = client.get(f"/notifications?after={after}").get_data(as_text=True)
    assert "Helper 0 replied" in second and "Helper 30 replied" not in second and "Ben and" not in second
    assert client.get("/notifications?after=nonsense").status_code == 404


def test_the_bell_the_list_and_marking_read(client, login, app):
    asker = make_member("asker")
    topic = make_topic(asker, title="Sync times out after a minute")
    reply = make_reply(topic, make_member("helper", display_name="Ben Helper"))
    make_reply(topic, make_member("other"))
    login("asker")
    home = client.get("/").get_data(as_text=True)
    assert 'class="bell-count">2<span class="visually-hidden"> unread' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "Ben Helper replied to your topic “Sync times out after a minute”" in page and "2 unread." in page
    first = notes(asker)[0]
    response = client.submit(f"/notifications/{first.id}/read", page="/notifications")
    assert response.status_code == 302 and response.headers["Location"] == f"/p/{reply.id}"
    assert fresh(asker).unread_notifications == 1
    response = client.submit("/notifications/read-all", page="/notifications", follow_redirects=True)
    assert "Marked 1 notification as read." in response.get_data(as_text=True)
    assert fresh(asker).unread_notifications == 0 and "bell-count" not in client.get("/").get_data(as_text=True)
    assert client.submit(f"/notifications/{first.id}/read", page="/notifications").status_code == 302  # again: fine
    make_member("nosy")
    login("nosy")
    assert client.submit(f"/notifications/{first.id}/read", page="/notifications").status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in(client, app):
    for url in ("/notifications", "/notifications/settings", "/forums/?filter=watching"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], url


def test_members_set_watching_levels_on_topics_and_categories(client, login, app):
    category = make_category()
    topic = make_topic(make_member("asker"), category, "A topic worth watching closely")
    make_topic(make_member("other"), category, "Another topic nobody watches")
    member = make_member("member")
    login("member")
    response = client.submit(f"/t/{topic.id}/watch", {"level": "tracking"}, page=f"/t/{topic.id}-{topic.slug}",
                             follow_redirects=True)
    assert "This topic: Tracking" in response.get_data(as_text=True)
    watching = client.get("/forums/?filter=watching").get_data(as_text=True)
    assert "A topic worth watching closely" in watching and "Another topic nobody watches" not in watching
    response = client.submit("/forums/c/questions/watch", {"level": "watching"}, page="/forums/c/questions")
    assert response.status_code == 302
    assert client.submit("/forums/c/questions/watch", {"level": "loudly"}, page="/forums/c/questions"
                         ).status_code == 400
    levels = dict(db.session.execute(select(Watch.level, func.count()).where(Watch.user_id == member.id)
                                     .group_by(Watch.level)).all())
    assert levels == {"tracking": 1, "watching": 1}


def test_mail_settings_and_the_daily_digest(client, login, runner, app, smtp):
    asker = make_member("asker")
    login("asker")
    assert client.submit("/notifications/settings", {"email_notifications": "weekly"}).status_code == 400
    response = client.submit("/notifications/settings", {"email_notifications": "digest"}, follow_redirects=True)
    assert "Your mail settings are saved." in response.get_data(as_text=True)
    asker = fresh(asker)
    assert asker.email_notifications == "digest"
    first = make_topic(asker, title="Sync times out after a minute")
    second = make_topic(asker, title="Exports miss the last row")
    make_reply(first, make_member("ana", display_name="Ana"))
    forums.thank(make_reply(second, make_member("ben", display_name="Ben")), make_member("cleo"))
    make_reply(second, make_member("dan", display_name="Dan"))
    db.session.commit()
    assert [m for m in smtp.wait_for(9, timeout=0.5) if m["To"] == "asker@example.com"] == []  # not at once
    smtp.messages.clear()
    result = runner.invoke(args=["forums", "digest"])
    assert "Sent 0 digest(s)" in result.output  # the first digest comes a day after choosing it
    asker = fresh(asker)
    asker.digest_sent_at = asker.digest_sent_at.replace(year=2000)
    db.session.commit()
    result = runner.invoke(args=["forums", "digest"])
    assert "Sent 1 digest(s) covering 3 update(s)." in result.output, result.output
    [mail] = [m for m in smtp.wait_for(1) if m["To"] == "asker@example.com"]
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Your daily digest: 3 updates from the community" and mail["List-Unsubscribe"]
    assert text.index("Sync times out after a minute") < text.index("Ana replied")
    assert text.index("Exports miss the last row") < text.index("Ben replied") < text.index("Dan replied")
    assert "Cleo thanked" not in text  # thanks go to the post's author, Ben
    assert "Sent 0 digest(s)" in runner.invoke(args=["forums", "digest"]).output


def test_the_notification_list_costs_the_same_queries_for_5_or_30(client, login, count_queries, app):
    asker = make_member("asker")
    login("asker")

    def grow(n):
        for i in range(n):
            topic = make_topic(asker, make_category(f"area-{i % 4}"))
            make_reply(topic, make_member())

    def count():
        with count_queries() as counter:
            assert client.get("/notifications").status_code == 200
        return counter.count

    grow(5)
    few = count()
    grow(25)
    assert count() == few <= 4


def test_notification_pages_are_valid_html(client, login, app):
    asker = make_member("asker")
    category = make_category()
    topic = make_topic(asker, category)
    make_reply(topic, make_member("helper"))
    login("asker")
    token = mailing.unsubscribe_token(asker)
    pages = {
        "notifications": client.get("/notifications").get_data(as_text=True),
        "topic with watch form": client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True),
        "category with watch form": client.get("/forums/c/questions").get_data(as_text=True),
        "mail settings": client.get("/notifications/settings").get_data(as_text=True),
        "mail settings with error": client.submit("/notifications/settings", {}).get_data(as_text=True),
        "unsubscribe": client.get(f"/notifications/unsubscribe/{token}").get_data(as_text=True),
        "unsubscribed": client.post(f"/notifications/unsubscribe/{token}").get_data(as_text=True),
    }
    client.submit("/notifications/read-all", page="/notifications")
    pages["no notifications"] = client.get("/notifications").get_data(as_text=True)
    assert nu_errors(pages) == []
