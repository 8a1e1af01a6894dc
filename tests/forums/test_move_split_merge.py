"""Moderators reorganize topics: move one to another category, split replies into a new topic, merge two topics.
Counters, accepted answers, the moderator log and old addresses follow."""

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from community import signals
from community.core.errors import Conflict, Invalid, NotAllowed
from community.extensions import db
from community.forums import moderation, services
from community.forums.models import Category, ModeratorAction, Post, Topic
from tests.checkers import nu_errors
from tests.factories import make_category, make_member, make_reply, make_topic


@contextlib.contextmanager
def unaccepted():
    """The (post id, topic id) of every answer_unaccepted signal sent inside the block."""
    sent = []

    def receiver(post, topic, **extra):
        sent.append((post.id, topic.id))

    signals.answer_unaccepted.connect(receiver)
    try:
        yield sent
    finally:
        signals.answer_unaccepted.disconnect(receiver)


def url(topic):
    return f"/t/{topic.id}-{topic.slug}"


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def posts_of(topic_id):
    """[(number, body)] of a topic, in number order."""
    db.session.expire_all()
    return list(db.session.execute(select(Post.number, Post.body).where(Post.topic_id == topic_id)
                                   .order_by(Post.number)).tuples())


def log_entries():
    return [(e.action, e.topic_id, e.reason)
            for e in db.session.scalars(select(ModeratorAction).order_by(ModeratorAction.id))]


def counts():
    db.session.expire_all()
    return {c.slug: c.topic_count for c in db.session.scalars(select(Category))}


def snapshot():
    """Everything a reorganization changes: posts' places, topics' counters and states, categories, the log."""
    db.session.expire_all()
    posts = list(db.session.execute(select(Post.id, Post.topic_id, Post.number).order_by(Post.id)).tuples())
    topics = list(db.session.execute(select(
        Topic.id, Topic.category_id, Topic.reply_count, Topic.highest_post_number, Topic.accepted_post_id,
        Topic.deleted_at, Topic.merged_into_id, Topic.title).order_by(Topic.id)).tuples())
    return posts, topics, counts(), log_entries()


@pytest.fixture
def moderator(login):
    mod = make_member("mod", role="moderator")
    login("mod")
    return mod


def solved_question(asker=None, category=None, title="Why does the export stop at 10,000 rows?"):
    asker = asker or make_member()
    topic = make_topic(asker, category, title=title)
    reply = make_reply(topic, body="Use the bulk export: it has no row limit at all.")
    services.accept_answer(topic, reply, asker)
    db.session.commit()
    return topic, reply


# Move ------------------------------------------------------------------------------------------------------------

def test_a_moderator_moves_a_topic_and_both_categories_count_it(client, moderator, app):
    billing = make_category("billing", "questions", name="Billing")
    topic, reply = solved_question()
    make_topic(title="Another question that stays where it is")
    assert counts() == {"questions": 2, "billing": 0}
    page = client.get(f"/t/{topic.id}/move").get_data(as_text=True)
    assert "Billing (questions, with accepted answers)" in page and 'value="questions"' not in page
    response = client.submit(f"/t/{topic.id}/move", {"category": "billing", "reason": "It is about invoices"})
    assert response.status_code == 302 and response.headers["Location"] == url(topic)
    assert "The topic is now in Billing." in client.get(url(topic)).get_data(as_text=True)
    assert fresh(Topic, topic.id).category_id == billing.id and fresh(Topic, topic.id).accepted_post_id == reply.id
    assert counts() == {"questions": 1, "billing": 1}
    assert log_entries() == [("move", topic.id, "Questions → Billing: It is about invoices")]


def test_moving_a_solved_question_to_a_discussion_category_says_so_then_clears_the_answer(client, moderator, app):
    make_category("ideas", "discussion", name="Ideas")
    topic, reply = solved_question()
    page = client.get(f"/t/{topic.id}/move").get_data(as_text=True)
    assert "Moving it to a discussion or announcements category clears the mark" in page
    with unaccepted() as sent:
        client.submit(f"/t/{topic.id}/move", {"category": "ideas"})
    assert sent == [(reply.id, topic.id)] and fresh(Topic, topic.id).accepted_post_id is None
    assert "Its accepted answer is cleared" in client.get(url(topic)).get_data(as_text=True)
    assert log_entries() == [("move", topic.id, "Questions → Ideas")]


def test_moving_to_an_unknown_or_the_same_category_is_refused_and_nothing_changes(client, moderator, app):
    make_category("ideas", "discussion")
    topic, _ = solved_question()
    before = snapshot()
    for choice in ("nope", "questions", ""):
        response = client.submit(f"/t/{topic.id}/move", {"category": choice, "reason": "my reason"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "Choose a category from the list." in page
        assert 'value="my reason"' in page
    with pytest.raises(Invalid, match="already in Questions"):
        moderation.move_topic(topic, topic.category, moderator)
    db.session.rollback()
    assert snapshot() == before


# Split -----------------------------------------------------------------------------------------------------------

def test_split_makes_the_chosen_replies_a_new_topic_numbered_from_one(client, moderator, app):
    ideas = make_category("ideas", "discussion", name="Ideas")
    topic = make_topic(title="How do I schedule a report for Mondays?")
    people = [make_member(f"helper{n}") for n in range(4)]
    replies = [make_reply(topic, person, f"Reply number {n} with enough words.") for n, person in enumerate(people)]
    page = client.get(f"/t/{topic.id}/split").get_data(as_text=True)
    assert 'value="1"' not in page and all(f'value="{r.number}"' in page for r in replies)
    response = client.submit(f"/t/{topic.id}/split", {"posts": ["3", "5"], "category": "ideas",
                                                      "title": "Dark mode for scheduled report emails",
                                                      "reason": "A tangent"})
    new = db.session.scalar(select(Topic).where(Topic.title == "Dark mode for scheduled report emails"))
    assert response.status_code == 302 and response.headers["Location"] == url(new)
    assert posts_of(new.id) == [(1, "Reply number 1 with enough words."), (2, "Reply number 3 with enough words.")]
    assert [n for n, _ in posts_of(topic.id)] == [1, 2, 4]
    new, old = fresh(Topic, new.id), fresh(Topic, topic.id)
    assert (new.author_id, new.category_id, new.reply_count, new.highest_post_number, new.last_poster_id) == (
        people[1].id, ideas.id, 1, 2, people[3].id)
    assert (old.reply_count, old.highest_post_number, old.last_poster_id) == (2, 4, people[2].id)
    assert counts() == {"questions": 1, "ideas": 1}
    assert log_entries() == [("split", topic.id, f"2 replies moved to “{new.title}”: A tangent"),
                             ("split", new.id, f"2 replies split from “{topic.title}”: A tangent")]
    shown = client.get(url(new)).get_data(as_text=True)
    assert "The replies you chose are now this topic." in shown and "Reply number 3 with enough words." in shown
    assert services.post_reply(old, make_member(), "A new reply to the old topic.").number == 5
    assert services.post_reply(new, make_member(), "A new reply to the new topic.").number == 3
    db.session.commit()


def test_splitting_off_the_accepted_answer_leaves_the_question_unsolved(client, moderator, app):
    topic, reply = solved_question()
    other = make_reply(topic, body="And another reply that stays here.")
    with unaccepted() as sent:
        response = client.submit(f"/t/{topic.id}/split", {"posts": [str(reply.number)], "category": "questions",
                                                          "title": "Bulk export has no row limit"})
    assert response.status_code == 302 and sent == [(reply.id, topic.id)]
    old = fresh(Topic, topic.id)
    assert old.accepted_post_id is None and old.reply_count == 1 and old.last_poster_id == other.author_id
    assert fresh(Post, reply.id).number == 1 and counts() == {"questions": 2}


def test_split_from_here_ticks_that_reply_and_the_ones_after_it(client, moderator, app):
    topic = make_topic()
    replies = [make_reply(topic) for _ in range(3)]
    assert f"/t/{topic.id}/split?from=3" in client.get(url(topic)).get_data(as_text=True)
    page = client.get(f"/t/{topic.id}/split?from=3").get_data(as_text=True)
    assert f'value="{replies[0].number}" id="posts-2">' in page
    assert f'value="{replies[1].number}" id="posts-3" checked>' in page
    assert f'value="{replies[2].number}" id="posts-4" checked>' in page


@pytest.mark.parametrize("form, message", [
    ({"title": "A good title for the new topic"}, "Choose at least one reply to move into the new topic."),
    ({"posts": ["1"], "title": "A good title for the new topic"}, "Choose replies from the list."),
    ({"posts": ["99"], "title": "A good title for the new topic"}, "Choose replies from the list."),
    ({"posts": ["2"], "title": "Too short"}, "A title has 15 to 255 characters"),
    ({"posts": ["2"], "title": ""}, "Give the new topic a title."),
    ({"posts": ["2"], "title": "A good title for the new topic", "category": "secret"},
     "Choose a category from the list."),
])
def test_a_split_with_bad_input_comes_back_with_what_to_fix_and_changes_nothing(client, moderator, app, form,
                                                                                message):
    topic = make_topic()
    make_reply(topic)
    make_reply(topic)
    before = snapshot()
    response = client.submit(f"/t/{topic.id}/split", {"category": "questions", **form})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if form.get("title"):
        assert f'value="{form["title"]}"' in page
    if form.get("posts") == ["2"]:
        assert 'value="2" id="posts-2" checked>' in page
    assert snapshot() == before


def test_the_split_service_refuses_the_opening_post_and_replies_of_other_topics(moderator, app):
    topic = make_topic()
    elsewhere = make_reply(make_topic())
    for numbers, message in (([1, 2], "The opening post stays"), ([elsewhere.number + 5], "no longer in this topic"),
                             ([], "at least one reply")):
        with pytest.raises(Invalid, match=message):
            moderation.split_topic(topic, numbers, "A good title for the new topic", topic.category, moderator)


def test_the_split_page_costs_the_same_queries_for_3_or_30_replies(client, moderator, app, count_queries):
    def cost(replies):
        topic = make_topic()
        for _ in range(replies):
            services.post_reply(topic, moderator, "A reply with enough words in it.")
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/t/{topic.id}/split").status_code == 200
        return counter.count

    assert cost(3) == cost(30)


# Merge -----------------------------------------------------------------------------------------------------------

def test_merging_appends_the_posts_in_written_order_and_the_old_address_leads_there(client, login, app):
    ideas = make_category("ideas", "discussion")
    first = make_topic(title="Export stops at 10,000 rows", body="My export stops at 10,000 rows every time.",
                       category=ideas)
    late = make_reply(first, body="Same here since Monday, on the CSV export.")
    target = make_topic(title="Exports are cut off at 10k rows", body="The export is cut off at ten thousand rows.")
    answer = make_reply(target, body="Use the bulk export: it has no row limit.")
    late.created_at = answer.created_at + timedelta(minutes=5)  # A's reply came after B's answer
    db.session.commit()
    make_member("mod", role="moderator")
    login("mod")
    response = client.submit(f"/t/{first.id}/merge", {"target": str(target.id), "reason": "Same question"})
    assert response.status_code == 302 and response.headers["Location"] == url(target)
    assert posts_of(target.id) == [(1, "The export is cut off at ten thousand rows."),
                                   (2, "Use the bulk export: it has no row limit."),
                                   (3, "My export stops at 10,000 rows every time."),
                                   (4, "Same here since Monday, on the CSV export.")]
    merged, kept = fresh(Topic, first.id), fresh(Topic, target.id)
    assert merged.deleted_at is not None and merged.merged_into_id == target.id and merged.reply_count == 0
    assert (kept.reply_count, kept.highest_post_number, kept.last_poster_id) == (3, 4, late.author_id)
    assert counts() == {"ideas": 0, "questions": 1}
    assert log_entries() == [
        ("merge", first.id, f"Merged into “{target.title}” (#{target.id}): Same question"),
        ("merge", target.id, f"“{first.title}” (#{first.id}) merged in from post #3: Same question")]
    page = client.get(url(target)).get_data(as_text=True)
    assert "is merged into this topic" in page and "Same here since Monday" in page
    assert first.title not in client.get("/forums/").get_data(as_text=True)
    for who in ("mod", make_member("reader").username, None):  # for everyone, signed in or not
        client.submit("/account/logout", page="/")
        if who:
            login(who)
        for address in (url(first), f"/t/{first.id}"):
            moved = client.get(address)
            assert moved.status_code == 301 and moved.headers["Location"] == url(target), (who, address)
    assert services.post_reply(kept, make_member(), "A new reply after the merge.").number == 5
    db.session.commit()


def test_merging_into_a_topic_given_by_its_address_drops_the_merged_answer_only(client, moderator, app):
    topic, reply = solved_question(title="Why does the export stop at 10,000 rows?")
    target, kept_answer = solved_question(title="Exports are cut off at ten thousand rows")
    with unaccepted() as sent:
        response = client.submit(f"/t/{topic.id}/merge", {"target": f"http://localhost{url(target)}?page=1#post-2"})
    assert response.status_code == 302 and sent == [(reply.id, topic.id)]
    assert fresh(Topic, target.id).accepted_post_id == kept_answer.id
    assert fresh(Topic, topic.id).accepted_post_id is None
    assert [n for n, _ in posts_of(target.id)] == [1, 2, 3, 4]


def test_a_topic_merged_into_one_that_was_merged_later_leads_to_the_last(client, moderator, app):
    a, b, c = make_topic(), make_topic(), make_topic()
    client.submit(f"/t/{a.id}/merge", {"target": str(b.id)})
    client.submit(f"/t/{b.id}/merge", {"target": f"#{c.id}"})
    assert client.get(f"/t/{a.id}").headers["Location"] == url(c)
    assert len(posts_of(c.id)) == 3


@pytest.mark.parametrize("target, message", [
    ("", "Enter the number or address of the topic to merge into."),
    ("the other one", "Enter the number of the topic to merge into"),
    ("999", "No topic with that number (#999)."),
    ("99999999999", "No topic with that number (#99999999999)."),
    ("self", "A topic can&#39;t be merged into itself"),
    ("deleted", "is deleted: choose a topic people can read"),
    ("private", "is in the private category Team room"),
])
def test_a_merge_with_a_bad_target_comes_back_with_what_to_fix_and_changes_nothing(client, moderator, app, target,
                                                                                   message):
    topic, _ = solved_question()
    deleted = make_topic(title="A topic that was deleted by its author")
    moderation.delete_post(db.session.scalar(select(Post).where(Post.topic_id == deleted.id)), deleted.author)
    private = make_topic(category=make_category("team", "discussion", name="Team room", min_role="moderator"))
    db.session.commit()
    typed = {"self": str(topic.id), "deleted": str(deleted.id), "private": url(private)}.get(target, target)
    before = snapshot()
    response = client.submit(f"/t/{topic.id}/merge", {"target": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and f'value="{typed}"' in page
    assert snapshot() == before


# Who may ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["move", "split", "merge"])
def test_only_moderators_reorganize_topics(client, login, app, action):
    make_category("ideas", "discussion")
    topic = make_topic()
    other = make_topic()
    reply = make_reply(topic)
    data = {"category": "ideas", "posts": [str(reply.number)], "title": "A good title for the new topic",
            "target": str(other.id)}
    before = snapshot()
    anonymous = client.get(f"/t/{topic.id}/{action}")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    make_member("lena")
    login("lena")
    assert f"/t/{topic.id}/{action}" not in client.get(url(topic)).get_data(as_text=True)
    refused = client.get(f"/t/{topic.id}/{action}")
    assert refused.status_code == 403 and "Only moderators move, split and merge topics." in refused.get_data(
        as_text=True)
    assert client.submit(f"/t/{topic.id}/{action}", data, page=url(topic)).status_code == 403
    assert client.post(f"/t/{topic.id}/{action}", data=data).status_code == 400  # no CSRF token: refused first
    assert snapshot() == before


def test_services_refuse_members_and_deleted_topics(moderator, app):
    topic = make_topic()
    member = make_member()
    with pytest.raises(NotAllowed):
        moderation.move_topic(topic, make_category("ideas", "discussion"), member)
    with pytest.raises(NotAllowed):
        moderation.merge_topics(topic, str(make_topic().id), member)
    moderation.delete_post(db.session.scalar(select(Post).where(Post.topic_id == topic.id)), moderator)
    with pytest.raises(Conflict, match="restore it first"):
        moderation.split_topic(topic, [2], "A good title for the new topic", topic.category, moderator)


# Pages -----------------------------------------------------------------------------------------------------------

def test_move_split_and_merge_pages_are_valid_html_with_and_without_errors(client, moderator, app):
    make_category("ideas", "discussion")
    topic, _ = solved_question()
    make_reply(topic)
    pages = {}
    for action, bad in (("move", {"category": "nope"}), ("split", {"title": "x", "posts": ["2"]}),
                        ("merge", {"target": "nowhere"})):
        shown = client.get(f"/t/{topic.id}/{action}")
        refused = client.submit(f"/t/{topic.id}/{action}", bad)
        assert shown.status_code == 200 and refused.status_code == 400
        pages[action] = shown.get_data(as_text=True)
        pages[f"{action} with errors"] = refused.get_data(as_text=True)
    pages["topic"] = client.get(url(topic)).get_data(as_text=True)
    assert nu_errors(pages) == []
