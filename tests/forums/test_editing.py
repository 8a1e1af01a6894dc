"""Editing posts: windows by trust level, revisions, the history page with diffs, revert, the moderator log."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community import signals
from community.core import text
from community.core.errors import Conflict, NotAllowed
from community.core.timeutil import aware, utcnow
from community.extensions import db
from community.forums import editing
from community.forums.models import ModeratorAction, Post, PostRevision, Topic
from tests.checkers import nu_errors
from tests.factories import make_member, make_reply, make_topic

ORIGINAL = "Try the advanced settings, it worked for me."


def aged(post, **delta):
    """Pretend the post was written `delta` ago."""
    post = db.session.get(Post, post.id)
    post.created_at = utcnow() - timedelta(**delta)
    db.session.commit()
    return post


def revisions(post):
    return [(r.number, r.body, r.editor_id, r.reason) for r in db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number))]


def edit(client, post, body, **data):
    return client.submit(f"/p/{post.id}/edit", {"body": body, **data})


def fresh(post):
    db.session.expire_all()
    return db.session.get(Post, post.id)


def test_a_new_member_edits_for_24_hours_and_then_a_moderator_must(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    aged(reply, hours=23)
    saved = edit(client, reply, "Try the advanced settings: it worked for me on 2.3.")
    assert saved.status_code == 302 and saved.location.endswith(f"#post-{reply.number}")
    assert "Your edit is saved." in client.get(saved.location).get_data(as_text=True)
    aged(reply, hours=25)
    refused = client.get(f"/p/{reply.id}/edit")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "24 hours" in page and "30 days once you reach trust level 2" in page
    assert "A moderator can still change it" in page
    topic_url = f"/t/{reply.topic.id}-{reply.topic.slug}"
    posted = client.submit(f"/p/{reply.id}/edit", {"body": "A late change that is long enough."}, page=topic_url)
    assert posted.status_code == 403 and fresh(reply).revision == 2


def test_a_trust_level_2_member_edits_for_30_days(client, login, app):
    ana = make_member("ana")
    ana.trust_level = 2
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    aged(reply, days=29)
    assert edit(client, reply, "Edited on day 29, still within the window.").status_code == 302
    aged(reply, days=31)
    refused = client.get(f"/p/{reply.id}/edit")
    assert refused.status_code == 403 and "30 days" in refused.get_data(as_text=True)
    assert "trust level 2)" not in refused.get_data(as_text=True)


def test_the_windows_come_from_config(app):
    app.config["FORUM_EDIT_WINDOW_HOURS_NEW"] = 1
    reply = aged(make_reply(make_topic(), make_member("ana"), ORIGINAL), hours=2)
    with pytest.raises(NotAllowed, match="1 hours"):
        editing.edit_post(reply, reply.author, "A change after the short window.")


def test_a_moderator_edits_any_post_at_any_age_and_the_log_says_why(client, login, app):
    reply = aged(make_reply(make_topic(), make_member("ana"), ORIGINAL), days=400)
    mod = make_member("mod", role="moderator")
    login(mod)
    page = client.get(f"/p/{reply.id}/edit").get_data(as_text=True)
    assert "Edit ana’s post" in page
    assert "moderator log" in page
    saved = edit(client, reply, "Try the advanced settings (link removed).", reason="Removed a spam link")
    assert saved.status_code == 302
    assert [(e.action, e.reason, e.post_id) for e in db.session.scalars(select(ModeratorAction))] == [
        ("edit_post", "Removed a spam link", reply.id)]
    assert revisions(reply)[-1][2:] == (mod.id, "Removed a spam link")


def test_an_author_editing_their_own_post_is_not_in_the_moderator_log(app):
    reply = make_reply(make_topic(), make_member("ana"), ORIGINAL)
    editing.edit_post(reply, reply.author, "My own change, long enough to count.")
    db.session.commit()
    assert db.session.scalars(select(ModeratorAction)).all() == []


def test_the_first_edit_keeps_the_original_as_revision_1_and_every_edit_is_numbered(app):
    reply = make_reply(make_topic(), make_member("ana"), ORIGINAL)
    written = reply.created_at
    assert editing.edit_post(reply, reply.author, "Second version of the text, *long* enough.", reason="typo") == 2
    db.session.commit()
    assert editing.edit_post(reply, reply.author, "Third version of the text, long enough.") == 3
    db.session.commit()
    post = fresh(reply)
    author = reply.author_id
    assert revisions(post) == [(1, ORIGINAL, author, ""), (2, "Second version of the text, *long* enough.", author,
                                                           "typo"), (3, "Third version of the text, long enough.",
                                                                     author, "")]
    first = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id, PostRevision.number == 1))
    assert aware(first.created_at) == aware(written)
    assert post.revision == 3 and post.edited_at is not None
    assert post.body_html == text.render("Third version of the text, long enough.")


def test_the_post_edited_signal_carries_the_text_before(app):
    reply = make_reply(make_topic(), make_member("ana"), ORIGINAL)
    sent = []

    def receiver(post, **kwargs):
        sent.append((post.id, kwargs["by"].id, kwargs["previous_body"], kwargs["revision"]))

    signals.post_edited.connect(receiver)
    try:
        editing.edit_post(reply, reply.author, "Now mentioning @someone in the text.")
    finally:
        signals.post_edited.disconnect(receiver)
    assert sent == [(reply.id, reply.author_id, ORIGINAL, 2)]


def test_editing_the_opening_post_changes_the_title_and_its_address(client, login, app):
    ana = make_member("ana")
    topic = make_topic(ana, title="Webhooks stop after three tries")
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    login(ana)
    form = client.get(f"/p/{opening.id}/edit").get_data(as_text=True)
    assert 'value="Webhooks stop after three tries"' in form
    short = edit(client, opening, "The body with a new detail: it happens on 2.3.", title="Too short")
    page = short.get_data(as_text=True)
    assert short.status_code == 400 and "A title has 15 to 255 characters" in page
    assert "The body with a new detail: it happens on 2.3." in page
    renamed = edit(client, opening, opening.body, title="Webhook retries stop after three tries on 2.3")
    assert renamed.status_code == 302
    topic = fresh(opening).topic
    assert topic.title == "Webhook retries stop after three tries on 2.3"
    assert topic.slug == "webhook-retries-stop-after-three-tries-on-2-3"
    assert client.get(f"/t/{topic.id}-webhooks-stop-after-three-tries").status_code == 301
    titles = [r.title for r in db.session.scalars(select(PostRevision).order_by(PostRevision.number))]
    assert titles == ["Webhooks stop after three tries", "Webhook retries stop after three tries on 2.3"]
    history = client.get(f"/p/{opening.id}/history").get_data(as_text=True)
    assert re.search(r"Title changed: <del>.*Webhooks stop after three tries</del>", history)


def test_a_reply_has_no_title_field(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    page = client.get(f"/p/{reply.id}/edit").get_data(as_text=True)
    assert 'name="title"' not in page and ORIGINAL in page and 'name="revision" type="hidden" value="1"' in page


def test_an_edit_that_changes_nothing_is_refused_and_keeps_the_text(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    same = edit(client, reply, f"  {ORIGINAL}\n")
    page = same.get_data(as_text=True)
    assert same.status_code == 400 and "Nothing changed" in page and ORIGINAL in page
    assert fresh(reply).revision == 1 and revisions(reply) == []


def test_form_errors_keep_the_text(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    short = edit(client, reply, "Too short")
    assert short.status_code == 400
    assert "Write at least 20 characters" in short.get_data(as_text=True)
    assert "Too short</textarea>" in short.get_data(as_text=True)
    long_reason = edit(client, reply, "A fine new text for this reply.", reason="x" * 201)
    page = long_reason.get_data(as_text=True)
    assert long_reason.status_code == 400 and "up to 200 characters" in page and "A fine new text" in page
    assert fresh(reply).body == ORIGINAL


def test_preview_shows_the_text_and_saves_nothing(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    preview = edit(client, reply, "Now with **bold** words in it.", preview="Preview")
    assert preview.status_code == 200 and "<strong>bold</strong>" in preview.get_data(as_text=True)
    assert fresh(reply).body == ORIGINAL


def test_an_edit_made_meanwhile_is_not_silently_replaced(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    editing.edit_post(reply, make_member("mod", role="moderator"), "The moderator's version of this reply.")
    db.session.commit()
    stale = edit(client, reply, "Ana's version, started before the moderator's.", revision="1")
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "while you were writing" in page and "Ana&#39;s version" in page
    assert 'name="revision" type="hidden" value="2"' in page
    assert edit(client, reply, "Ana's version, started before the moderator's.", revision="2").status_code == 302
    assert fresh(reply).revision == 3


def test_strangers_anonymous_people_and_unknown_posts(client, login, app):
    reply = make_reply(make_topic(), make_member("ana"), ORIGINAL)
    anonymous = client.get(f"/p/{reply.id}/edit")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.location
    login(make_member("bob"))
    stranger = client.get(f"/p/{reply.id}/edit")
    assert stranger.status_code == 403 and "edit your own posts" in stranger.get_data(as_text=True)
    topic_url = f"/t/{reply.topic.id}-{reply.topic.slug}"
    assert client.submit(f"/p/{reply.id}/edit", {"body": "Bob rewrites Ana's reply."}, page=topic_url
                         ).status_code == 403
    assert client.get("/p/999999/edit").status_code == 404
    assert client.get("/p/999999/history").status_code == 404
    assert fresh(reply).body == ORIGINAL


def test_a_closed_topic_stops_the_author_but_not_a_moderator(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    topic = db.session.get(Topic, reply.topic_id)
    topic.locked_at = utcnow()
    db.session.commit()
    login(ana)
    closed = client.get(f"/p/{reply.id}/edit")
    assert closed.status_code == 409 and "This topic is closed" in closed.get_data(as_text=True)
    with pytest.raises(Conflict):
        editing.edit_post(fresh(reply), ana, "An edit in a closed topic, long enough.")
    db.session.rollback()
    editing.edit_post(fresh(reply), make_member("mod", role="moderator"), "A moderator's edit in a closed topic.")
    db.session.commit()
    assert fresh(reply).revision == 2


def test_deleted_posts_cannot_be_edited_and_their_history_is_for_moderators(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    editing.edit_post(reply, ana, "A second version before it was deleted.")
    reply.deleted_at = utcnow()
    db.session.commit()
    assert client.get(f"/p/{reply.id}/history").status_code == 404
    login(make_member("mod", role="moderator"))
    assert client.get(f"/p/{reply.id}/history").status_code == 200
    deleted = client.get(f"/p/{reply.id}/edit")
    assert deleted.status_code == 409 and "restore it first" in deleted.get_data(as_text=True)


def test_the_history_shows_who_when_why_and_the_changed_words_escaped(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, "Line one stays.\nTry the advanced settings page.\nLine three stays.")
    login(ana)
    edit(client, reply, "Line one stays.\nTry the basic settings page.\nLine three stays.", reason="Wrong page")
    edit(client, reply, "Line one stays.\n<script>alert(1)</script>\nLine three stays.")
    client.submit("/account/logout", page="/")
    response = client.get(f"/p/{reply.id}/history")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("Revision 3 (current)") < page.index("Revision 2") < page.index("Revision 1 (original)")
    assert "<del>advanced</del>" in page and "<ins>basic</ins>" in page
    assert "Removed: </span>" in page and "Added: </span>" in page
    assert "Reason: Wrong page" in page and re.search(r'<time datetime="[^"]+" title="[^"]+">just now</time>', page)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Bring back revision" not in page  # anonymous readers see the history, nothing more
    topic_page = client.get(f"/t/{reply.topic.id}-{reply.topic.slug}").get_data(as_text=True)
    assert "<script>alert" not in topic_page


def test_a_revert_is_a_new_revision_with_the_old_text(client, login, app):
    ana = make_member("ana")
    reply = make_reply(make_topic(), ana, ORIGINAL)
    login(ana)
    edit(client, reply, "Second version, which was a mistake.")
    edit(client, reply, "Third version, also a mistake.")
    history = f"/p/{reply.id}/history"
    assert "Bring back revision 1" in client.get(history).get_data(as_text=True)
    reverted = client.submit(f"/p/{reply.id}/revert/1", page=history)
    assert reverted.status_code == 302 and reverted.location.endswith(history)
    page = client.get(history).get_data(as_text=True)
    assert "Revision 1 is back" in page and "Revision 4 (current)" in page
    assert "Bring back revision 1" not in page and "Bring back revision 2" in page  # 1 is the current text again
    post = fresh(reply)
    assert post.body == ORIGINAL and post.revision == 4 and post.body_html == text.render(ORIGINAL)
    assert [(n, body) for n, body, _, _ in revisions(post)] == [
        (1, ORIGINAL), (2, "Second version, which was a mistake."), (3, "Third version, also a mistake."),
        (4, ORIGINAL)]
    assert revisions(post)[-1][3] == "Back to revision 1"
    assert client.submit(f"/p/{reply.id}/revert/4", page=history).status_code == 409
    assert client.submit(f"/p/{reply.id}/revert/9", page=history).status_code == 404
    client.submit("/account/logout", page="/")
    login(make_member("bob"))
    assert client.submit(f"/p/{reply.id}/revert/2", page=f"/p/{reply.id}/history").status_code == 403
    assert fresh(reply).revision == 4


def test_an_author_reverts_only_within_the_window(app):
    reply = make_reply(make_topic(), make_member("ana"), ORIGINAL)
    editing.edit_post(reply, reply.author, "A second version of this reply.")
    db.session.commit()
    reply = aged(reply, hours=25)
    with pytest.raises(NotAllowed):
        editing.revert(reply, reply.author, 1)
    assert editing.revert(reply, make_member("mod", role="moderator"), 1) == 3


def test_the_post_card_offers_edit_and_history_and_marks_edited_posts(client, login, app):
    ana = make_member("ana")
    topic = make_topic(ana)
    reply = make_reply(topic, ana, ORIGINAL)
    url = f"/t/{topic.id}-{topic.slug}"
    login(ana)
    page = client.get(url).get_data(as_text=True)
    assert f'href="/p/{reply.id}/edit"' in page and "edited</a>" not in page
    edit(client, reply, "A better version of this reply.")
    page = client.get(url).get_data(as_text=True)
    assert f'href="/p/{reply.id}/history" title="Edited' in page and f'href="/p/{reply.id}/history" class' in page
    client.submit("/account/logout", page="/")
    login(make_member("bob"))
    page = client.get(url).get_data(as_text=True)
    assert f'href="/p/{reply.id}/edit"' not in page and f'href="/p/{reply.id}/history"' in page


def test_the_history_page_issues_the_same_queries_for_3_or_12_revisions(client, login, count_queries, app):
    ana = make_member("ana")
    login(make_member("reader"))

    def history_with(n):
        reply = make_reply(make_topic(ana), ana, ORIGINAL)
        for i in range(2, n + 1):
            editing.edit_post(reply, ana, f"{ORIGINAL}\nEdit number {i}.")
            db.session.commit()
        with count_queries() as counter:
            page = client.get(f"/p/{reply.id}/history").get_data(as_text=True)
        assert page.count('class="panel revision"') == n
        return counter.count

    few = history_with(3)
    assert history_with(12) == few
    assert few <= 6


def test_diff_marks_changed_words_and_keeps_context_short(app):
    old = "\n".join(f"line {i}" for i in range(1, 21))
    new = old.replace("line 2\n", "line two\n").replace("line 19", "line 19 and more")
    hunks = editing.diff(old, new)
    assert len(hunks) == 2  # two changes far apart: two hunks, the unchanged middle left out
    first = {line.kind: line.parts for line in hunks[0] if line.kind != "same"}
    assert first == {"del": [(False, "line "), (True, "2")], "ins": [(False, "line "), (True, "two")]}
    assert editing.diff("same text", "same text") == []


def test_edit_preview_error_and_history_pages_pass_the_nu_checker(client, login, app):
    ana = make_member("ana")
    topic = make_topic(ana, title="Webhooks stop after three tries")
    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    login(ana)
    pages = {"edit": client.get(f"/p/{opening.id}/edit").get_data(as_text=True)}
    pages["edit with errors"] = edit(client, opening, "short", title="short").get_data(as_text=True)
    pages["edit preview"] = edit(client, opening, "A **preview** of `code`.", title="A fine title for it",
                                 preview="Preview").get_data(as_text=True)
    edit(client, opening, "Line one.\nA <b>changed</b> second line here.", title="Webhook retries stop at three",
         reason="More detail")
    edit(client, opening, "Line one.\nA changed second line here, again.")
    pages["history"] = client.get(f"/p/{opening.id}/history").get_data(as_text=True)
    pages["topic with edited post"] = client.get(f"/t/{topic.id}", follow_redirects=True).get_data(as_text=True)
    for name, html in pages.items():
        assert html.count("<h1") == 1, name
    assert nu_errors(pages) == []
