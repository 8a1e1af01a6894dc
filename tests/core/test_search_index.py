"""The search index's mechanics: the outbox, several server processes writing at once, a process that dies between
its commit and the index, a busy writer lock, `search sync`, `search check` and `search reindex` (an atomic swap
to a fresh generation that answers every query as the index kept in step change by change did)."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import delete, event, select, update

from community import demo
from community.accounts.models import User
from community.core import search
from community.core.db import write_intent
from community.core.models import SearchOutbox
from community.extensions import db
from community.forums.models import Category, Post, Topic
from tests.core.search_writer import DIED
from tests.factories import make_category, make_member, make_reply, make_topic
from tests.processes import ready, stopped_at_the_end

ROOT = Path(__file__).resolve().parents[2]
EVERYONE = search.VISIBILITIES  # an admin's view: every visibility, the advocates' lounge too


def found(words="", **filters) -> list[str]:
    results = search.search(words, visible=EVERYONE, filters=search.Filters(**filters), per_page=500)
    return sorted(hit.key for hit in results.hits)


def outbox() -> list[str]:
    db.session.commit()  # a fresh snapshot: other processes wrote meanwhile
    return list(db.session.scalars(select(SearchOutbox.key).order_by(SearchOutbox.id)))


def in_step():
    differences = search.check()
    assert (differences.missing, differences.extra, differences.stale, differences.pending) == ([], [], [], 0)
    assert search.expected_count(db.session) == search.search("", visible=EVERYONE, per_page=1).total
    return True


def writer_process(app, database_url, command, *args, **options):
    """Start tests/core/search_writer.py: another server process on this test's database and index folder."""
    setup = json.dumps({"database_url": database_url, "instance": app.instance_path,
                        "search_dir": app.config["SEARCH_INDEX_DIR"]})
    return subprocess.Popen([sys.executable, "-m", "tests.core.search_writer", command, setup, *map(str, args)],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


def reply_and_die(app, database_url, topic, author, body) -> Post:
    """Another process replies in `topic` and dies just after its commit, before the index hears of the reply."""
    with stopped_at_the_end([writer_process(app, database_url, "die-after-commit", topic.id, author.id, body)]) as [
            process]:
        _, errors = process.communicate(timeout=60)
    assert process.returncode == DIED, errors
    db.session.commit()
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id).order_by(Post.number.desc()).limit(1))


# Several processes -------------------------------------------------------------------------------------------------

def test_two_processes_writing_at_once_leave_all_their_documents_in_the_index(indexing, database_url):
    category = make_category()
    authors = make_member("first"), make_member("second")
    with stopped_at_the_end([writer_process(indexing, database_url, "topics", author.id, category.id, 100, label,
                                            stdin=subprocess.PIPE)
                             for author, label in zip(authors, ("alpha", "bravo"), strict=True)]) as writers:
        assert all(ready(process) for process in writers)
        for process in writers:  # both start writing now
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in writers:
            _, errors = process.communicate(timeout=180)
            assert process.returncode == 0, errors
    assert outbox() == []
    topic_ids = list(db.session.scalars(select(Topic.id)))
    assert len(topic_ids) == 200
    assert found("moorings", kinds=("topic",)) == sorted(f"topic:{topic_id}" for topic_id in topic_ids)
    assert len(found("alpha")) == len(found("bravo")) == 100
    assert in_step()


# A process that dies between its commit and the index --------------------------------------------------------------

def test_a_process_that_dies_after_its_commit_leaves_an_outbox_row_that_sync_applies(indexing, runner, database_url):
    topic = make_topic(title="The harbour crane stops at midnight")
    post = reply_and_die(indexing, database_url, topic, make_member(), "Reset the crane's pelorus after midnight.")
    assert post.body == "Reset the crane's pelorus after midnight."
    assert outbox() == [f"post:{post.id}"]
    assert found("pelorus") == []
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1
    assert f"missing: 1 (post:{post.id})" in check.output and "extra: 0" in check.output
    assert "1 change(s) wait in the outbox" in check.output
    synced = runner.invoke(args=["search", "sync"])
    assert synced.exit_code == 0 and "Applied 1 waiting change(s); the outbox is empty." in synced.output
    assert found("pelorus") == [f"post:{post.id}"] and outbox() == []
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "The index matches the database." in check.output


def test_the_next_write_by_another_process_applies_what_a_dead_process_left(indexing, client, login, database_url):
    topic = make_topic(title="The harbour crane stops at midnight")
    make_member("helper")
    lost = reply_and_die(indexing, database_url, topic, make_member(), "Grease the binnacle before the night shift.")
    assert outbox() == [f"post:{lost.id}"]
    login("helper")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "Our binnacle needed a new fuse."},
                             page=f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 302
    newest = db.session.scalar(select(Post.id).order_by(Post.id.desc()).limit(1))
    assert found("binnacle") == sorted([f"post:{lost.id}", f"post:{newest}"])
    assert outbox() == []
    assert in_step()


# A busy writer lock, a writer waiting for it -----------------------------------------------------------------------

def test_a_busy_writer_lock_keeps_the_change_in_the_outbox_until_sync(indexing, client, login, runner):
    indexing.config["SEARCH_WRITER_TIMEOUT"] = 0.2
    topic = make_topic(title="Tide tables are an hour off in summer")
    make_member("helper")
    login("helper")
    holder = search.open_index(indexing).writer()  # another process busy writing (a reindex, a large batch)
    try:
        response = client.submit(f"/t/{topic.id}/reply", {"body": "Daylight saving: the sextant clock is in UTC."},
                                 page=f"/t/{topic.id}-{topic.slug}")
        assert response.status_code == 302  # the member's reply is posted all the same
        post_id = db.session.scalar(select(Post.id).order_by(Post.id.desc()).limit(1))
        assert outbox() == [f"post:{post_id}"]
        busy = runner.invoke(args=["search", "sync"])
        assert busy.exit_code == 1 and "The index is busy" in busy.output
    finally:
        holder.cancel()
    assert found("sextant") == []
    synced = runner.invoke(args=["search", "sync"])
    assert synced.exit_code == 0 and "Applied 1 waiting change(s)" in synced.output
    assert found("sextant") == [f"post:{post_id}"]
    assert in_step()


def test_rows_written_while_a_writer_waits_for_the_lock_outlive_its_forgetting(app):
    """Process B reads the outbox and waits for the writer lock that process A holds; A applies those rows and
    deletes them; a new change writes new rows; B gets the lock, applies what it read and deletes those ids. The new
    rows must survive: SQLite gives a deleted row's id to the next row unless the table is AUTOINCREMENT."""
    topic = make_topic(title="Buoys drift after the spring storms")
    search.sync(app)
    first = make_reply(topic, body="Check the buoy moorings after each storm.")  # rows wait: applying is off here
    read = threading.Event()

    def reading(conn, cursor, statement, *args):
        if threading.current_thread().name == "B" and "FROM search_outbox" in statement:
            read.set()

    event.listen(db.engine, "after_cursor_execute", reading)
    holder = search.open_index(app).writer()  # process A, busy applying
    process_b = threading.Thread(target=_sync_in_context, args=(app,), name="B")
    try:
        process_b.start()
        assert read.wait(10)  # B read the rows for the first reply and now waits for the lock
        with write_intent():  # A applied them (B applies them again: rows are idempotent) and forgets them
            db.session.execute(delete(SearchOutbox))
            db.session.commit()
        second = make_reply(topic, body="Our buoys drifted because the shackles were worn.")
    finally:
        holder.cancel()
        process_b.join(30)
        event.remove(db.engine, "after_cursor_execute", reading)
    search.sync(app)
    assert found("buoys") == sorted([f"topic:{topic.id}", f"post:{first.id}", f"post:{second.id}"])
    assert in_step()


def _sync_in_context(app):
    with app.app_context():
        search.sync(app, timeout=20)


# Check and reindex -------------------------------------------------------------------------------------------------

def test_check_names_extra_and_stale_documents_and_reindex_repairs_them(indexing, runner):
    topic = make_topic(title="Anchors drag in the east basin")
    post = make_reply(topic, body="Use the heavier anchor chain there.")
    writer = search.open_index(indexing).writer()
    writer.add_document(key="post:999999", kind="post", id=999999, title="A document nobody wrote", body="ghost")
    writer.commit()
    with write_intent():  # a change made behind the services' back (a manual SQL fix): no outbox row
        db.session.execute(update(Post).where(Post.id == post.id).values(body_html="<p>Use the kedge anchor.</p>"))
        db.session.commit()
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1
    assert "missing: 0" in check.output and "extra: 1 (post:999999)" in check.output
    assert f"stale: 1 (post:{post.id})" in check.output
    reindexed = runner.invoke(args=["search", "reindex"])
    assert reindexed.exit_code == 0 and "Indexed 4 document(s)." in reindexed.output  # a topic, a reply, their authors
    assert found("ghost") == [] and found("kedge") == [f"post:{post.id}"]
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "The index matches the database." in check.output


def ask(words="", *, newest=False, page=1, visible=EVERYONE, **filters):
    """What a query answers: the total, the keys of one page in order, and the "did you mean" suggestion."""
    results = search.search(words, visible=visible, filters=search.Filters(**filters), newest=newest, page=page,
                            per_page=10)
    return results.total, [hit.key for hit in results.hits], results.suggestion


def demo_queries():
    categories = {c.slug: str(c.id) for c in db.session.scalars(select(Category))}
    lena = db.session.scalar(select(User.id).where(User.username == "lena"))
    return {
        "webhook": ask("webhook"),
        "connect source": ask("connect data source"),
        "sso okta": ask("sso okta"),
        "solved invoices": ask("invoice", solved=True),
        "unsolved": ask("", solved=False, kinds=("topic",)),
        "integrations": ask("", kinds=("topic",), category=categories["integrations"]),
        "newest dashboards": ask("dashboard", newest=True),
        "dashboards page 2": ask("dashboards", page=2),
        "tag api": ask("", tags=("api",)),
        "members": ask("analyst", kinds=("member",)),
        "either": ask("snowflake OR bigquery"),
        "phrase": ask('"read-only access"'),
        "misspelt": ask("webhok"),
        "by lena": ask("", author=str(lena)),
        "public only": ask("meetup", visible=(search.PUBLIC,)),
    }


def test_reindexing_the_demo_answers_every_query_as_incremental_indexing_did(indexing, runner, search_dir):
    with write_intent():
        demo.load()
    assert in_step()
    before = demo_queries()
    assert all(total for name, (total, _, _) in before.items() if name != "misspelt")  # each finds something
    assert before["misspelt"] == (0, [], "webhook")
    documents = search.search("", visible=EVERYONE, per_page=1).total
    old_generation = search_dir / os.readlink(search_dir / "current")
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and f"Indexed {documents} document(s)." in result.output
    assert search.expected_count(db.session) == documents  # the progress bar's length
    assert demo_queries() == before
    generations = [name for name in os.listdir(search_dir) if name.startswith("gen-")]
    assert generations == [os.readlink(search_dir / "current")] and not old_generation.exists()
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "The index matches the database." in check.output


def test_a_row_whose_document_cannot_be_built_waits_without_holding_up_the_others(indexing, app):
    """Fault injection: a source whose builder fails (as a bug would). The other rows of its batch are applied."""

    def fails(session, ids):
        raise RuntimeError("a builder's bug")

    search.register(search.Source("broken", fails))
    try:
        member = make_member("quillon")  # its own commit applies member:<id> at once
        with write_intent():
            search.queue(db.session, ["broken:1", f"member:{member.id}", "post:999999"])
            db.session.commit()
        assert outbox() == ["broken:1"]  # the rest applied: the member stays, the missing post is dropped
        assert found("quillon") == [f"member:{member.id}"]
    finally:
        search.index._SOURCES.pop("broken")
    db.session.execute(delete(SearchOutbox))
    db.session.commit()
