"""Flags: weighted scores, hiding, the 24-hour repeat rule, the moderators' queue, flagger accuracy."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community import signals
from community.accounts.models import User
from community.core.errors import NotAllowed
from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import editing, flags
from community.forums.models import Flag, ModeratorAction, Notification, Post
from tests.checkers import nu_errors
from tests.factories import make_member, make_reply, make_topic

SECRET = "Buy cheap watches at totally-legit dot example, today only."


def member(username, trust_level=0, role="member"):
    user = make_member(username, role=role)
    user.trust_level = trust_level
    db.session.commit()
    return user


def fresh(model, id_):
    """The row as the database has it now (the session keeps loaded values after a commit)."""
    db.session.expire_all()
    return db.session.get(model, id_)


def flag(post, by, kind="spam", note=""):
    db.session.expire_all()
    made = flags.flag_post(db.session.get(Post, post.id), db.session.get(User, by.id), kind, note)
    db.session.commit()
    return made


def hidden(post) -> bool:
    return db.session.scalar(select(Post.hidden_at).where(Post.id == post.id)) is not None


def spam_reply(author_trust=1):
    topic = make_topic(title="Where do I find the webhook logs?")
    author = member("spammer", author_trust)
    return topic, make_reply(topic, author, SECRET)


def log_entries():
    return [(e.action, e.reason) for e in db.session.scalars(select(ModeratorAction).order_by(ModeratorAction.id))]


# Scores and hiding -------------------------------------------------------------------------------------------------

def test_a_flag_scores_one_plus_the_trust_level_and_staff_score_five(app):
    _, post = spam_reply()
    scores = [flag(post, member(name, tl, role), "off_topic").score
              for name, tl, role in [("newcomer", 0, "member"), ("regular", 2, "member"), ("mod", 0, "moderator")]]
    assert scores == [1, 3, 5]
    assert hidden(post)  # 1 + 3 + 5 = 9 reaches 8.3


def test_three_tl2_flags_hide_a_post_and_two_do_not(app):
    _, post = spam_reply()
    flag(post, member("ana", 2), "inappropriate")
    flag(post, member("ben", 2), "inappropriate")
    assert not hidden(post)  # 6 < 8.3
    assert db.session.scalar(select(Notification).where(Notification.kind == "flagged")) is None
    flag(post, member("cem", 2), "off_topic")
    assert hidden(post)  # 9 ≥ 8.3
    note = db.session.scalar(select(Notification).where(Notification.kind == "flagged"))
    assert note.user_id == post.author_id and note.post_id == post.id


def test_the_hide_score_is_read_from_the_config(app):
    app.config["FORUM_FLAG_HIDE_SCORE"] = 3
    _, post = spam_reply()
    flag(post, member("ana", 1), "off_topic")
    assert not hidden(post)
    flag(post, member("ben", 0), "off_topic")
    assert hidden(post)


def test_a_tl3_spam_flag_hides_a_tl0_post_at_once_but_not_a_tl1_post(app):
    veteran = member("veteran", 3)
    _, newcomer_post = spam_reply(author_trust=0)
    flag(newcomer_post, veteran, "spam")
    assert hidden(newcomer_post)
    regular_post = make_reply(newcomer_post.topic, member("regular", 1), SECRET)
    flag(regular_post, veteran, "spam")
    assert not hidden(regular_post)
    other_post = make_reply(newcomer_post.topic, newcomer_post.author, "Another one from the newcomer here.")
    flag(other_post, veteran, "off_topic")  # only spam hides at once
    flag(other_post, member("tl2", 2), "spam")  # and only from TL3 and up
    assert not hidden(other_post)
    staff_post = make_reply(newcomer_post.topic, newcomer_post.author, "A third post from the newcomer here.")
    flag(staff_post, member("mod", role="moderator"), "spam")
    assert hidden(staff_post)


def test_a_hidden_post_that_is_edited_shows_again_and_its_flags_wait_for_a_moderator(app):
    _, post = spam_reply(author_trust=0)
    flag(post, member("veteran", 3), "spam")
    author = db.session.get(User, post.author_id)
    editing.edit_post(fresh(Post, post.id), author, "I rewrote it: no links, just the steps that worked for me.")
    db.session.commit()
    assert not hidden(post) and flags.unhide_after_edit(fresh(Post, post.id)) is False
    assert db.session.scalar(select(Flag.resolved_at)) is None


def test_a_post_a_moderator_kept_hidden_stays_hidden_when_its_author_edits_it(app):
    _, post = spam_reply(author_trust=0)
    flag(post, member("veteran", 3), "spam")
    flags.resolve(fresh(Post, post.id), member("mod", role="moderator"), "agree")
    db.session.commit()
    author = db.session.get(User, post.author_id)
    editing.edit_post(fresh(Post, post.id), author, "Sneaky: the same advert with different words in it now.")
    db.session.commit()
    assert hidden(post)


# The flag page -----------------------------------------------------------------------------------------------------

def test_members_flag_through_the_form_and_others_see_only_a_notice(client, login, app, smtp):
    topic, post = spam_reply()
    author = db.session.get(User, post.author_id)
    for name in ("ana", "ben", "cem"):
        member(name, 2)
        login(name)
        form = client.get(f"/p/{post.id}/flag").get_data(as_text=True)
        assert "<legend>What is wrong with this post?</legend>" in form and 'type="radio"' in form
        response = client.submit(f"/p/{post.id}/flag", {"kind": "spam"})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{post.number}")
    assert "The post is hidden until a moderator reviews it." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == author.id)) == "flagged"
    mails = [m for m in smtp.wait_for(2) if author.email in m["To"]]
    assert len(mails) == 1 and "hidden" in mails[0].get_body(("plain",)).get_content()
    url = f"/t/{topic.id}-{topic.slug}"
    page = client.get(url).get_data(as_text=True)
    assert "Hidden after members flagged it" in page and SECRET not in page and f'id="post-{post.number}"' in page
    client.submit("/account/logout", page="/")
    page = client.get(url).get_data(as_text=True)
    assert "Hidden after members flagged it" in page and SECRET not in page
    login(author)
    page = client.get(url).get_data(as_text=True)
    assert "Hidden after members flagged it" in page and SECRET in page and "edit it to show it again" in page
    member("mod", role="moderator")
    login("mod")
    page = client.get(url).get_data(as_text=True)
    assert "Hidden after members flagged it" in page and SECRET in page and "flag queue" in page


def test_the_flag_link_shows_on_other_members_posts_only(client, login, app):
    topic, post = spam_reply()
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    url = f"/t/{topic.id}-{topic.slug}"
    assert "/flag" not in client.get(url).get_data(as_text=True)
    login(post.author)
    page = client.get(url).get_data(as_text=True)
    assert f'href="/p/{first.id}/flag"' in page and f'href="/p/{post.id}/flag"' not in page


def test_nobody_flags_their_own_post(client, login, app):
    _, post = spam_reply()
    login(post.author)
    assert client.get(f"/p/{post.id}/flag").status_code == 403
    response = client.submit(f"/p/{post.id}/flag", {"kind": "spam"}, page="/")
    assert response.status_code == 403 and "flag your own post" in response.get_data(as_text=True)
    with pytest.raises(NotAllowed):
        flags.flag_post(post, post.author, "spam")
    assert db.session.scalar(select(Flag.id)) is None


def test_a_deleted_post_cannot_be_flagged_even_by_a_moderator(client, login, app):
    from community.forums import moderation

    _, post = spam_reply()
    moderation.delete_post(post, post.author)
    db.session.commit()
    member("ana")
    login("ana")
    assert client.get(f"/p/{post.id}/flag").status_code == 404
    member("mod", role="moderator")
    login("mod")
    assert client.get(f"/p/{post.id}/flag").status_code == 404
    assert client.submit(f"/p/{post.id}/flag", {"kind": "spam"}, page="/").status_code == 404


def test_the_same_flag_cannot_repeat_within_24_hours_unless_the_post_changed(client, login, app):
    _, post = spam_reply()
    member("ana")
    login("ana")
    assert client.submit(f"/p/{post.id}/flag", {"kind": "spam"}).status_code == 302
    again = client.submit(f"/p/{post.id}/flag", {"kind": "spam", "note": "Still spam."})
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and "already flagged this post as “Spam”" in text and "Still spam." in text
    assert client.submit(f"/p/{post.id}/flag", {"kind": "off_topic"}).status_code == 302  # another type
    db.session.execute(update(Post).where(Post.id == post.id).values(revision=Post.revision + 1))
    db.session.commit()
    assert client.submit(f"/p/{post.id}/flag", {"kind": "spam"}).status_code == 302  # the post changed
    assert client.submit(f"/p/{post.id}/flag", {"kind": "spam"}).status_code == 409
    db.session.execute(update(Flag).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert client.submit(f"/p/{post.id}/flag", {"kind": "spam"}).status_code == 302  # a day later
    assert [k for k in db.session.scalars(select(Flag.kind).order_by(Flag.id))] == ["spam", "off_topic", "spam", "spam"]


def test_something_else_needs_a_note_and_a_refused_form_keeps_what_was_typed(client, login, app):
    _, post = spam_reply()
    member("ana")
    login("ana")
    response = client.submit(f"/p/{post.id}/flag", {"kind": "other", "note": "   "})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Say what is wrong with the post" in text
    assert 'checked id="kind-3" name="kind" required type="radio" value="other"' in text
    response = client.submit(f"/p/{post.id}/flag", {"note": "It reads like an advert to me."})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose what is wrong with the post." in text
    assert "It reads like an advert to me." in text
    assert db.session.scalar(select(Flag.id)) is None
    assert client.submit(f"/p/{post.id}/flag", {"kind": "other", "note": "A copy of another post."}).status_code == 302
    assert db.session.scalar(select(Flag.note)) == "A copy of another post."


# The queue ---------------------------------------------------------------------------------------------------------

def test_the_queue_is_for_moderators_only(client, login, app):
    response = client.get("/forums/queue")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    member("ana")
    login("ana")
    response = client.get("/forums/queue")
    assert response.status_code == 403 and "The flag queue is for moderators" in response.get_data(as_text=True)
    _, post = spam_reply()
    flag(post, member("ben"), "spam")
    assert client.submit(f"/p/{post.id}/flags", {"decision": "agree"}, page="/").status_code == 403
    assert db.session.scalar(select(Flag.resolved_at)) is None
    member("mod", role="moderator")
    login("mod")
    assert client.get("/forums/queue").status_code == 200


def test_the_queue_groups_flags_per_post_highest_score_first_with_each_flaggers_accuracy(client, login, app):
    topic, light = spam_reply()
    heavy = make_reply(topic, member("loud", 1), "Everyone here is wrong and I will say so loudly.")
    flag(light, member("newbie", 0), "off_topic")
    ana = member("ana", 2)
    ana.flags_agreed, ana.flags_disagreed = 4, 1
    db.session.commit()
    flag(heavy, ana, "inappropriate")
    flag(heavy, member("ben", 1), "other", "He insulted two members in a row.")
    member("mod", role="moderator")
    login("mod")
    page = client.get("/forums/queue").get_data(as_text=True)
    assert page.index(f"Post #{heavy.number}") < page.index(f"Post #{light.number}")
    assert "Score <strong>5</strong>" in page and "Score <strong>1</strong>" in page
    assert "Inappropriate" in page and "Something else" in page and "He insulted two members in a row." in page
    assert "ana</a>: 4 of 5 flags upheld" in page and "ben</a>: no flags judged yet" in page
    assert "Everyone here is wrong" in page and topic.title in page and "loud</a>" in page
    assert "No flags waiting" not in page


def hidden_by_three(topic_title="Webhook retries stop after three tries"):
    topic = make_topic(title=topic_title)
    post = make_reply(topic, member("spammer", 1), SECRET)
    flaggers = [member(name, 2) for name in ("ana", "ben", "cem")]
    for who in flaggers:
        flag(post, who, "spam")
    assert hidden(post)
    member("mod", role="moderator")
    return post, flaggers


def accuracy_of(users):
    return [(fresh(User, u.id).flags_agreed, fresh(User, u.id).flags_disagreed) for u in users]


def test_agreeing_keeps_the_post_hidden_counts_for_the_flaggers_and_is_logged_and_signalled(client, login, app):
    post, flaggers = hidden_by_three()
    upheld = []

    def received(sender, by, flags):
        upheld.append((sender.id, by.username, sorted(f.flagger_id for f in flags)))

    login("mod")
    with signals.flag_upheld.connected_to(received):
        response = client.submit(f"/p/{post.id}/flags", {"decision": "agree", "reason": "Plain spam"},
                                 page="/forums/queue")
    assert response.status_code == 302 and response.headers["Location"] == "/forums/queue"
    assert upheld == [(post.id, "mod", sorted(u.id for u in flaggers))]
    assert hidden(post) and accuracy_of(flaggers) == [(1, 0)] * 3
    assert {(f.resolution, f.resolved_by_id is not None, f.resolved_at is not None)
            for f in db.session.scalars(select(Flag))} == {("agreed", True, True)}
    assert log_entries() == [("flag_agree", "Plain spam")]
    page = client.get("/forums/queue").get_data(as_text=True)
    assert "You agreed with the flags" in page
    assert "No flags waiting. Thank you for keeping the community kind." in page


def test_agree_and_delete_deletes_the_post(client, login, app):
    post, flaggers = hidden_by_three()
    login("mod")
    client.submit(f"/p/{post.id}/flags", {"decision": "agree_delete"}, page="/forums/queue")
    assert fresh(Post, post.id).deleted_at is not None and accuracy_of(flaggers) == [(1, 0)] * 3
    assert [a for a, _ in log_entries()] == ["flag_agree", "delete_post"]


def test_disagreeing_shows_the_post_again_and_counts_against_the_flaggers(client, login, app):
    post, flaggers = hidden_by_three()
    upheld = []
    login("mod")
    with signals.flag_upheld.connected_to(lambda sender, **kw: upheld.append(sender)):
        client.submit(f"/p/{post.id}/flags", {"decision": "disagree", "reason": "It is a real answer"},
                      page="/forums/queue")
    assert not hidden(post) and accuracy_of(flaggers) == [(0, 1)] * 3 and upheld == []
    assert set(db.session.scalars(select(Flag.resolution))) == {"disagreed"}
    assert log_entries() == [("flag_disagree", "It is a real answer")]
    client.submit("/account/logout", page="/")
    topic = post.topic
    assert SECRET in client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)


def test_dismissing_resolves_the_flags_without_judging_anyone(client, login, app):
    post, flaggers = hidden_by_three()
    login("mod")
    client.submit(f"/p/{post.id}/flags", {"decision": "dismiss"}, page="/forums/queue")
    assert hidden(post) and accuracy_of(flaggers) == [(0, 0)] * 3
    assert set(db.session.scalars(select(Flag.resolution))) == {"dismissed"}
    assert log_entries() == [("flag_dismiss", "")]
    # Resolved flags no longer count: after an edit shows the post again, one more flag doesn't hide it.
    flags.unhide_after_edit(fresh(Post, post.id))
    db.session.commit()
    flag(post, member("dan", 2), "off_topic")
    assert not hidden(post)


def test_flags_are_resolved_once(client, login, app):
    post, _ = hidden_by_three()
    login("mod")
    assert client.submit(f"/p/{post.id}/flags", {"decision": "dismiss"}, page="/forums/queue").status_code == 302
    again = client.submit(f"/p/{post.id}/flags", {"decision": "agree"}, page="/forums/queue")
    assert again.status_code == 409 and "already resolved" in again.get_data(as_text=True)
    flag(post, member("dan", 0), "spam")
    assert client.submit(f"/p/{post.id}/flags", {"decision": "maybe"}, page="/forums/queue").status_code == 400
    with pytest.raises(NotAllowed):
        flags.resolve(fresh(Post, post.id), fresh(User, post.author_id), "agree")
    db.session.rollback()
    assert log_entries() == [("flag_dismiss", "")]


def test_the_queue_issues_the_same_queries_for_5_or_30_flagged_posts(client, login, count_queries, app):
    member("mod", role="moderator")
    login("mod")
    made = 0

    def grow(n):
        nonlocal made
        for _ in range(n):
            made += 1
            topic = make_topic(title=f"Flagged topic number {made} with a long title")
            post = make_reply(topic, member(f"author{made}"), f"Reply {made} that somebody flagged.")
            flag(post, member(f"flagger{made}a", made % 3), "spam")
            flag(post, member(f"flagger{made}b"), "other", f"Note {made}")

    def queries():
        with count_queries() as counter:
            page = client.get("/forums/queue")
        assert page.status_code == 200 and page.get_data(as_text=True).count('name="decision" value="agree"') == made
        return counter.count

    grow(5)
    few = queries()
    grow(25)
    assert queries() == few


def test_flag_pages_queue_and_hidden_posts_are_valid_html(client, login, app):
    topic, post = spam_reply(author_trust=0)
    member("mod", role="moderator")
    login("mod")
    pages = {"empty queue": client.get("/forums/queue").get_data(as_text=True)}
    member("ana", 3)
    login("ana")
    pages["flag page"] = client.get(f"/p/{post.id}/flag").get_data(as_text=True)
    refused = client.submit(f"/p/{post.id}/flag", {"kind": "other"})
    assert refused.status_code == 400
    pages["flag page with errors"] = refused.get_data(as_text=True)
    assert client.submit(f"/p/{post.id}/flag", {"kind": "spam", "note": "Links to a shop."}).status_code == 302
    url = f"/t/{topic.id}-{topic.slug}"
    pages["topic with a hidden post, as a member"] = client.get(url).get_data(as_text=True)
    pages["flag page of a hidden post"] = client.get(f"/p/{post.id}/flag").get_data(as_text=True)
    login(post.author)
    pages["topic with a hidden post, as its author"] = client.get(url).get_data(as_text=True)
    login("mod")
    pages["queue"] = client.get("/forums/queue").get_data(as_text=True)
    assert "Links to a shop." in pages["queue"] and "No flags waiting" in pages["empty queue"]
    assert nu_errors(pages) == []
