"""What forum and member changes do to the search index: each request that changes a post, a topic or a member
leaves the index exact once it returns (`search.check` finds no difference), and nothing rolled back reaches it."""

import re

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.core import search
from community.core.models import SearchOutbox
from community.core.permissions import roles_up_to
from community.extensions import db
from community.forums import services
from community.forums.models import Post, Topic
from tests.factories import make_category, make_member, make_reply, make_topic

EVERYONE = search.VISIBILITIES  # an admin's view: every visibility, the advocates' lounge too


def found(words="", *, visible=EVERYONE, **filters) -> list[str]:
    """The keys of every document `words` find (all documents when empty) with these filters, as `visible` sees."""
    results = search.search(words, visible=visible, filters=search.Filters(**filters), per_page=200)
    return sorted(hit.key for hit in results.hits)


def thread(topic_id) -> dict[str, search.Hit]:
    """The documents of one topic (its opening post and replies), by key."""
    results = search.search("", visible=EVERYONE, filters=search.Filters(topic_ids=(topic_id,)), per_page=200)
    return {hit.key: hit for hit in results.hits}


def in_step():
    """The index holds exactly the documents the database implies (as many as reindex counts on), and nothing waits
    in the outbox."""
    differences = search.check()
    assert (differences.missing, differences.extra, differences.stale, differences.pending) == ([], [], [], 0)
    assert search.expected_count(db.session) == search.search("", visible=EVERYONE, per_page=1).total
    return True


def outbox() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(SearchOutbox.key).order_by(SearchOutbox.id)))


def page(topic) -> str:
    return f"/t/{topic.id}-{topic.slug}"


def reply(client, topic, body):
    return client.submit(f"/t/{topic.id}/reply", {"body": body}, page=page(topic))


def newest_post() -> Post:
    db.session.expire_all()
    return db.session.scalar(select(Post).order_by(Post.id.desc()).limit(1))


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


@pytest.fixture
def mod(client, login):
    moderator = make_member("mod", role="moderator")
    login("mod")
    return moderator


# Posting, rolling back, editing, deleting --------------------------------------------------------------------------

def test_a_question_and_a_reply_are_found_as_soon_as_the_requests_that_posted_them_return(client, login, indexing):
    make_category()
    make_member("asker")
    make_member("helper")
    login("asker")
    response = client.submit("/forums/ask", {"category": "questions", "title": "Gondola sensors drop offline at night",
                                             "body": "Every night the gondola sensors stop reporting.",
                                             "tags": "sensors"})
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic))
    assert found("gondola") == [f"topic:{topic.id}"]
    client.submit("/account/logout", page="/")
    login("helper")
    assert reply(client, topic, "Replace the **capacitor** in each receiver.").status_code == 302
    post = newest_post()
    assert found("capacitor") == [f"post:{post.id}"]
    assert found("gondola") == [f"topic:{topic.id}"]  # a reply is found by its own words, its topic by the title
    hit = thread(topic.id)[f"post:{post.id}"]
    assert (hit.title, hit.number, hit.tags, hit.author) == ("", 2, ["sensors"], str(post.author_id))
    assert in_step()


def test_a_rolled_back_post_and_a_refused_reply_never_reach_the_index(client, login, indexing):
    topic = make_topic(title="Where do the nightly exports go?")
    author = make_member("helper")
    draft = services.post_reply(topic, author, "A draft about the marmalade bucket that is never committed.")
    assert f"post:{draft.id}" in db.session.scalars(select(SearchOutbox.key))  # written in the transaction
    db.session.rollback()
    assert outbox() == []
    login("helper")
    refused = reply(client, topic, "Tiny")  # too short: the service refuses it after the form passed
    assert refused.status_code == 400 and "Write at least" in refused.get_data(as_text=True)
    assert reply(client, topic, "They land in the exports bucket of your workspace.").status_code == 302
    assert found("marmalade") == [] and found("tiny") == []
    assert found("bucket") == [f"post:{newest_post().id}"]
    assert in_step()


def test_an_edit_replaces_the_old_words_with_the_new(client, login, indexing):
    topic = make_topic(title="Which port does the relay listen on?")
    post = make_reply(topic, make_member("helper"), "It listens on port 8080 behind the walrus proxy.")
    login("helper")
    response = client.submit(f"/p/{post.id}/edit", {"body": "It listens on port 8443 behind the narwhal proxy.",
                                                    "revision": "1"})
    assert response.status_code == 302
    assert found("walrus") == []
    assert found("narwhal") == [f"post:{post.id}"]
    assert in_step()


def test_deleting_a_reply_or_a_topic_removes_its_documents_and_restoring_brings_them_back(client, mod, indexing):
    topic = make_topic(title="The scheduler skips Sunday runs entirely")
    post = make_reply(topic, body="Check the timezone of the cron expression first.")
    assert found("scheduler") == [f"topic:{topic.id}"] and found("timezone") == [f"post:{post.id}"]
    assert client.submit(f"/p/{post.id}/delete", page=page(topic)).status_code == 302
    assert found("scheduler") == [f"topic:{topic.id}"] and found("timezone") == []
    assert in_step()
    assert client.submit(f"/p/{post.id}/restore", page=page(topic)).status_code == 302
    assert found("timezone") == [f"post:{post.id}"]
    assert in_step()
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    assert client.submit(f"/p/{opening.id}/delete", page=page(topic)).status_code == 302
    assert found("scheduler") == [] and thread(topic.id) == {}
    assert in_step()
    assert client.submit(f"/p/{opening.id}/restore", page=page(topic)).status_code == 302
    assert set(thread(topic.id)) == {f"topic:{topic.id}", f"post:{post.id}"}
    assert in_step()


def test_a_post_in_a_private_category_is_found_only_by_those_who_may_read_it(indexing):
    staff = make_category("staff-room", "discussion", min_role="moderator")
    member, moderator = make_member(), make_member(role="moderator")
    topic = make_topic(make_member(role="moderator"), staff, title="Rota for the quokka release weekend")
    post = make_reply(topic, moderator, "I take Saturday; the quokka checklist is pinned.")
    both = [f"post:{post.id}", f"topic:{topic.id}"]
    assert found("quokka", visible=(search.PUBLIC,)) == []  # anonymous
    assert found("quokka", visible=(search.PUBLIC, *roles_up_to(member))) == []
    assert found("quokka", visible=(search.PUBLIC, *roles_up_to(moderator))) == both
    assert search.similar("quokka release", visible=(search.PUBLIC, *roles_up_to(member))) == []
    assert [hit.key for hit in search.similar("quokka release", visible=(search.PUBLIC, *roles_up_to(moderator)))] == [
        f"topic:{topic.id}"]
    assert in_step()


def test_a_category_made_private_hides_its_documents_from_members(indexing):
    lounge = make_category("lounge", "discussion")
    member = make_member()
    topic = make_topic(category=lounge, title="Favourite pelican photos from the meetup")
    post = make_reply(topic, body="The pelican on the pier, without a doubt.")
    as_member = (search.PUBLIC, *roles_up_to(member))
    assert found("pelican", visible=as_member) == [f"post:{post.id}", f"topic:{topic.id}"]
    lounge.min_role = "moderator"
    db.session.commit()
    assert found("pelican", visible=as_member) == []
    assert {hit.key for hit in thread(topic.id).values()} == {f"post:{post.id}", f"topic:{topic.id}"}
    assert in_step()


# State transitions -------------------------------------------------------------------------------------------------

def test_a_reply_hidden_by_flags_leaves_the_index_and_returns_when_a_moderator_disagrees(client, mod, indexing):
    topic = make_topic(title="Cheap licences for the dashboard suite")
    spam = make_reply(topic, make_member(), "Buy discount toucan licences at my shop today.")
    assert found("toucan") == [f"post:{spam.id}"]
    response = client.submit(f"/p/{spam.id}/flag", {"kind": "spam"})  # a moderator's spam flag on a new member
    assert response.status_code == 302 and fresh(Post, spam.id).hidden_at is not None
    assert found("toucan") == [] and set(thread(topic.id)) == {f"topic:{topic.id}"}
    assert in_step()
    assert client.submit(f"/p/{spam.id}/flags", {"decision": "disagree"}, page="/forums/queue").status_code == 302
    assert found("toucan") == [f"post:{spam.id}"]
    assert in_step()


def test_a_topic_whose_opening_post_flags_hid_leaves_with_its_replies(client, mod, indexing):
    topic = make_topic(make_member(), title="Free tapir credits for everyone here")
    answer = make_reply(topic, body="This looks like spam to me, tapir or not.")
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    assert client.submit(f"/p/{opening.id}/flag", {"kind": "spam"}).status_code == 302
    assert found("tapir") == [] and thread(topic.id) == {}
    assert in_step()
    assert client.submit(f"/p/{opening.id}/flags", {"decision": "disagree"}, page="/forums/queue").status_code == 302
    assert found("tapir") == [f"post:{answer.id}", f"topic:{topic.id}"]
    assert in_step()


def test_unlisting_a_topic_removes_it_and_its_replies_and_listing_it_again_brings_them_back(client, mod, indexing):
    topic = make_topic(title="Duplicate: the iguana importer fails")
    post = make_reply(topic, body="The iguana importer needs version 3.")
    assert client.submit(f"/t/{topic.id}/unlist", {"unlisted": "1"}, page=page(topic)).status_code == 302
    assert found("iguana") == []
    assert in_step()
    assert client.submit(f"/t/{topic.id}/unlist", {"unlisted": "0"}, page=page(topic)).status_code == 302
    assert found("iguana") == [f"post:{post.id}", f"topic:{topic.id}"]
    assert in_step()


def test_moving_a_topic_moves_its_documents_to_the_new_category_and_its_readers(client, mod, indexing):
    questions, billing = make_category(), make_category("billing", name="Billing")
    staff = make_category("staff", "discussion", min_role="moderator")
    topic = make_topic(title="Invoice for the flamingo plan is doubled")
    post = make_reply(topic, body="Refund the flamingo duplicate from the billing page.")
    both = [f"post:{post.id}", f"topic:{topic.id}"]
    assert found(category=str(questions.id)) == both
    assert client.submit(f"/t/{topic.id}/move", {"category": "billing"}).status_code == 302
    assert found(category=str(questions.id)) == [] and found("flamingo", category=str(billing.id)) == both
    assert in_step()
    assert client.submit(f"/t/{topic.id}/move", {"category": "staff"}).status_code == 302
    assert found("flamingo", visible=(search.PUBLIC, "member")) == []
    assert found("flamingo", category=str(staff.id)) == both
    assert in_step()


def test_accepting_an_answer_makes_the_topic_and_its_replies_solved(client, login, indexing):
    asker = make_member("asker")
    topic = make_topic(asker, title="Why is the okapi report empty on Mondays?")
    answer = make_reply(topic, body="The okapi report reads the previous week: wait for the Monday sync.")
    other = make_reply(topic, body="Same for us, the okapi report was empty too.")
    assert found("okapi", solved=True) == []
    login("asker")
    assert client.submit(f"/p/{answer.id}/accept", page=page(topic)).status_code == 302
    everything = sorted([f"topic:{topic.id}", f"post:{answer.id}", f"post:{other.id}"])
    assert found("okapi", solved=True) == everything and found("okapi", solved=False) == []  # okapi: in every post
    assert in_step()
    assert client.submit(f"/t/{topic.id}/unaccept", page=page(topic)).status_code == 302
    assert found("okapi", solved=True) == [] and found("okapi", solved=False) == everything
    assert in_step()


def test_splitting_moves_the_chosen_replies_into_the_new_topic(client, mod, indexing):
    make_category("ideas", "discussion", name="Ideas")
    topic = make_topic(title="Exports time out for large workspaces")
    stays = make_reply(topic, body="Use the bulk export for large workspaces.")
    first = make_reply(topic, body="Off topic: could the axolotl theme come back?")
    second = make_reply(topic, body="Yes please, the axolotl theme was lovely.")
    response = client.submit(f"/t/{topic.id}/split", {"posts": ["3", "4"], "category": "ideas",
                                                      "title": "Bring back the axolotl theme"})
    assert response.status_code == 302
    new = db.session.scalar(select(Topic).where(Topic.title == "Bring back the axolotl theme"))
    assert set(thread(topic.id)) == {f"topic:{topic.id}", f"post:{stays.id}"}
    moved = thread(new.id)
    assert set(moved) == {f"topic:{new.id}", f"post:{second.id}"}  # the first reply opens the new topic
    assert {(hit.title, hit.category, hit.number) for hit in moved.values()} == {
        (new.title, str(new.category_id), 1), ("", str(new.category_id), 2)}  # replies carry no title
    assert found("axolotl") == sorted([f"topic:{new.id}", f"post:{second.id}"])
    assert first.id == db.session.scalar(select(Post.id).where(Post.topic_id == new.id, Post.number == 1))
    assert in_step()


def test_merging_moves_every_post_into_the_target_and_drops_the_merged_topic(client, mod, indexing):
    target = make_topic(title="Alerts arrive twice in the ocelot channel", tags=("alerts",))
    source = make_topic(title="Duplicate ocelot alerts in chat")
    source_reply = make_reply(source, body="Same here since the upgrade.")
    source_opening = db.session.scalar(select(Post).where(Post.topic_id == source.id, Post.number == 1))
    response = client.submit(f"/t/{source.id}/merge", {"target": str(target.id)})
    assert response.status_code == 302
    assert thread(source.id) == {}
    merged = thread(target.id)
    assert set(merged) == {f"topic:{target.id}", f"post:{source_opening.id}", f"post:{source_reply.id}"}
    assert {(hit.title, tuple(hit.tags)) for hit in merged.values()} == {(target.title, ("alerts",)), ("", ("alerts",))}
    assert found("upgrade") == [f"post:{source_reply.id}"]
    assert in_step()


def test_a_title_edit_retitles_the_topic(client, login, indexing):
    topic = make_topic(make_member("asker"), title="Chart colours look wrong on the wombat theme")
    post = make_reply(topic, body="Switch the palette to the default one.")
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    login("asker")
    response = client.submit(f"/p/{opening.id}/edit", {"title": "Chart colours look wrong on the dingo theme",
                                                       "body": opening.body, "revision": "1"})
    assert response.status_code == 302
    assert found("wombat") == []
    assert found("dingo") == [f"topic:{topic.id}"]
    assert thread(topic.id)[f"topic:{topic.id}"].title == "Chart colours look wrong on the dingo theme"
    assert found("palette") == [f"post:{post.id}"]
    assert in_step()


# Members -----------------------------------------------------------------------------------------------------------

def link_from(message):
    return re.search(r"https?://\S+/account/verify/\S+", message.get_body(("plain",)).get_content()).group(0)


def member_key(username) -> str:
    db.session.expire_all()
    return f"member:{db.session.scalar(select(User.id).where(User.username == username))}"


def test_a_member_is_found_once_confirmed_and_not_while_suspended(client, login, indexing, smtp):
    registered = client.submit("/account/register", {"username": "quentin", "email": "quentin@example.com",
                                                     "password": "a long enough secret", "time_zone": "UTC"})
    assert registered.status_code == 302
    assert found("quentin", kinds=("member",)) == []  # not confirmed yet
    assert in_step()
    assert client.submit(link_from(smtp.wait_for(1)[0])).status_code == 302
    key = member_key("quentin")
    assert found("quentin", kinds=("member",)) == [key]
    make_member("ada", role="admin")
    login("ada")
    suspended = client.submit("/manage/members/quentin/suspend", {"reason": "Posting spam links."})
    assert suspended.status_code == 302
    assert found("quentin", kinds=("member",)) == []
    assert in_step()
    assert client.submit("/manage/members/quentin/restore", page="/u/quentin").status_code == 302
    assert found("quentin", kinds=("member",)) == [key]
    assert in_step()

