"""Replying to one post: its author hears of it ("replied to your post"), and the reply links back to it."""

from sqlalchemy import select

from community.extensions import db
from community.forums import services as forums
from community.forums.models import Notification, Post
from tests.checkers import nu_errors
from tests.factories import make_member, make_reply, make_topic


def kinds(user):
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                                .order_by(Notification.id))]


def test_a_reply_to_a_post_tells_its_author_and_links_back(client, login, app, smtp):
    asker = make_member("asker")
    topic = make_topic(asker, title="Sync times out after a minute")
    helper = make_member("helper", display_name="Ben Helper")
    answer = make_reply(topic, helper, body="Raise the timeout to 120 seconds in the settings.")
    make_member("third", display_name="Cleo Third")
    login("third")
    url = f"/t/{topic.id}-{topic.slug}"
    page = client.get(url).get_data(as_text=True)
    assert f'href="{url}?reply_to=2#reply-heading"' in page.replace("&amp;", "&")
    form = client.get(f"{url}?reply_to=2").get_data(as_text=True)
    assert 'name="reply_to" type="hidden" value="2"' in form and "Replying to" in form
    response = client.submit(f"/t/{topic.id}/reply", {"body": "That worked for me too, with 180 seconds.",
                                                     "reply_to": "2"}, page=f"{url}?reply_to=2")
    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 3))
    assert post.reply_to_number == answer.number
    assert kinds(helper) == ["reply_post"] and kinds(asker)[-1] == "reply"
    subjects = {m["To"]: m["Subject"] for m in smtp.wait_for(2)}
    assert subjects["helper@example.com"] == "Cleo Third replied to your post in “Sync times out after a minute”"
    page = client.get(url).get_data(as_text=True)
    assert "In reply to post #2" in page
    assert nu_errors({"topic with a reply to a post": page, "reply form for a post": form}) == []


def test_a_reply_to_a_post_that_is_gone_stands_on_its_own(app):
    topic = make_topic()
    post = forums.post_reply(topic, make_member(), "A reply to a post that never existed here.", reply_to=42)
    db.session.commit()
    assert post.reply_to_number is None
