"""The search index: a Whoosh index kept in step with the database through an outbox.

Whoosh-Reloaded 2.7.5 provides the `whoosh` module: the maintained fork of Whoosh 2.7.4 (2016), with the fixes
Python 3.11+ needs (invalid escape sequences, removed stdlib names) and the same file format and API.

How an update travels: an area's change writes outbox rows (`queue`) in its own transaction; after the commit, the
process that can take the index's writer lock within SEARCH_WRITER_TIMEOUT applies every pending row in one batch,
then looks again before letting go, so rows left by a process that gave up waiting are applied by the holder. Rows
are deleted only after the index commit; a process that dies in between leaves them for the next writer or for
`flask --app wsgi search sync`. Applying a row rebuilds its documents from the database's current state, so rows
may be applied twice or in any order.

The index lives in a generation folder under SEARCH_INDEX_DIR, named by the `current` symlink; `reindex` builds a
new generation and swaps the symlink (an atomic rename), holding the old generation's writer lock meanwhile so
that nothing is applied to an index about to be dropped.

Areas describe their documents with a `Source` (see `register`): a prefix (`post`, `thread`, `member`), a function
turning ids into `Change`s, and a generator of every document for reindex and check.
"""

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import bindparam, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session
from whoosh import columns, fields, index
from whoosh.analysis import StemmingAnalyzer
from whoosh.index import LockError

from ...extensions import db
from ..db import after_commit, read_only, write_intent
from ..models import SearchOutbox
from ..permissions import AUDIENCES, ROLES, roles_up_to
from . import fast_columns, fast_segments
from .positions import FusedPositions

log = logging.getLogger(__name__)

KINDS = ("topic", "post", "event", "member")
PUBLIC = "public"  # the visibility of documents everyone may see; else the lowest role that may, or an audience
VISIBILITIES = (PUBLIC, *ROLES, *AUDIENCES)


def visible_to(user) -> tuple[str, ...]:
    """The visibilities `user` may find: everyone's, and those of the roles and audiences they hold."""
    return (PUBLIC, *roles_up_to(user))


BATCH = 500  # outbox rows applied per index commit
ROUNDS = 20  # batches one lock holder applies before letting go (the rest wait for the next writer or `sync`)
REINDEX_HOURS = 6  # a reindex marker older than this belongs to a reindex that died
MERGE_AT = 10  # small segments an incremental commit leaves before it merges them


fast_columns.patch_whoosh()
fast_segments.patch_whoosh()


TEXT = StemmingAnalyzer()  # one per process: its cache of stems outlives every searcher (highlighting stems each hit)


FACETS = ("kind", "visibility", "category", "author", "solved", "tags")  # what filters look for, in `facets`


def schema() -> fields.Schema:
    """Fields cost indexing time: only what is searched is indexed (numbers and dates are stored or kept as sort
    columns, never indexed as trie terms), and "did you mean" learns its words from titles only. What filters and
    visibility look for is indexed in one field, `facets` ("kind:post,visibility:public,tag:api"): each indexed
    field costs whoosh about 20 µs a document, and six of them were a tenth of the reindex."""
    text = TEXT
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),  # "post:12": one document per key
        kind=fields.STORED,
        id=fields.STORED,  # the row's id in its own table
        topic_id=fields.ID(stored=True),  # topics and their posts, so a thread's documents go together
        number=fields.STORED,  # a post's number in its topic, for its link
        title=_fused(fields.TEXT(analyzer=text, stored=True, field_boost=2.0, spelling=True)),  # not on replies
        body=_fused(fields.TEXT(analyzer=text, stored=True)),
        tags=fields.STORED,  # "api,billing"
        category=fields.STORED,
        author=fields.STORED,  # the author's user id, as text
        created=fields.COLUMN(columns.NumericColumn("q")),  # microseconds since 1970 (UTC): "newest first"
        solved=fields.STORED,
        visibility=fields.STORED,
        facets=fields.KEYWORD(commas=True),
        digest=fields.STORED,  # of the document's content: `check` finds stale documents with it
    )


def _fused(field: fields.TEXT) -> fields.TEXT:
    field.format = FusedPositions(field_boost=field.format.field_boost)
    return field


def facet(name: str, value) -> str:
    """The term of `facets` that says a document has `value` for `name` (FACETS)."""
    if name == "solved":
        value = "yes" if value else "no"
    elif name == "tags":
        name, value = "tag", str(value).lower()
    return f"{name}:{value}"


def _facets(doc: dict) -> str:
    terms = [facet(name, doc[name]) for name in FACETS if name != "tags" and doc.get(name) is not None]
    terms.extend(facet("tags", tag) for tag in (doc.get("tags") or "").split(",") if tag)
    return ",".join(terms)


# What areas give ---------------------------------------------------------------------------------------------------

@dataclass
class Change:
    """What applying one outbox key does: drop documents by term, then add or replace `docs` (by their key)."""

    drop: list[tuple[str, str]] = field(default_factory=list)
    docs: list[dict] = field(default_factory=list)


@dataclass
class Source:
    prefix: str
    changes: Callable[[Session, list[int]], Iterable[Change]]  # ids → the changes that bring their documents up to date
    everything: Callable[[Session], Iterator[dict]] | None = None  # every document, for reindex and check
    count: Callable[[Session], int] | None = None  # how many `everything` yields (for the progress bar)


_SOURCES: dict[str, Source] = {}  # filled at import by each area's search.py; the same in every process


def register(source: Source) -> None:
    _SOURCES[source.prefix] = source


@dataclass
class _Watch:
    model: type
    attrs: tuple[str, ...]
    keys: Callable[[object, Callable[[str], list]], Iterable[str]]  # (object, old values of an attribute) → keys


_WATCHES: list[_Watch] = []


def watch(model: type, attrs: Iterable[str], keys) -> None:
    """Queue `keys(obj, old)` whenever a flush inserts or deletes a `model`, or changes one of `attrs` on it.
    `old(name)` gives the values an attribute had before the change (empty for an insert)."""
    _WATCHES.append(_Watch(model, tuple(attrs), keys))


@event.listens_for(Session, "after_flush")
def _queue_flushed(session, flush_context):
    if not _WATCHES:
        return
    keys = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        for rule in _WATCHES:
            if not isinstance(obj, rule.model):
                continue
            state = inspect(obj)
            if obj in session.dirty and not any(state.attrs[name].history.has_changes() for name in rule.attrs):
                continue
            keys.extend(rule.keys(obj, lambda name, state=state: list(state.attrs[name].history.deleted or ())))
    queue(session, keys)


def queue(session: Session, keys: Iterable[str]) -> None:
    """Write outbox rows for `keys` in the session's transaction, and apply them after it commits."""
    rows = [{"key": key} for key in dict.fromkeys(keys)]
    if not rows:
        return
    session.connection().execute(insert(SearchOutbox), rows)  # a Core insert: safe inside flush events too
    if not current_app.config["SEARCH_APPLY_AFTER_COMMIT"]:
        return  # the rows wait for `search sync` (the test suite, outside the tests about search)
    pending = session.info.get("search_sync")
    if pending is None or pending not in session.info.get("after_commit", ()):  # none yet, or its transaction ended
        pending = session.info["search_sync"] = _SyncAfterCommit(current_app._get_current_object())
        after_commit(session, pending)


class _SyncAfterCommit:
    def __init__(self, app):
        self.app = app

    def __call__(self):
        sync(self.app)


# The index folder ------------------------------------------------------------------------------------------------

def _root(app) -> str:
    return app.config["SEARCH_INDEX_DIR"]


def _current(app) -> str:
    """The current generation's folder, creating an empty index on first use."""
    root = _root(app)
    link = os.path.join(root, "current")
    try:
        return os.path.join(root, os.readlink(link))
    except FileNotFoundError:
        pass
    os.makedirs(root, exist_ok=True)
    name = _new_generation(root)
    try:
        os.symlink(name, link)
    except FileExistsError:  # another process made the first index at the same moment: use theirs
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        return os.path.join(root, os.readlink(link))
    return os.path.join(root, name)


def _new_generation(root: str) -> str:
    name = f"gen-{time.time_ns()}-{os.getpid()}"
    os.makedirs(os.path.join(root, name))
    index.create_in(os.path.join(root, name), schema())
    return name


def open_index(app=None):
    app = app or current_app._get_current_object()
    return _index(app, _current(app))


# Applying the outbox ---------------------------------------------------------------------------------------------

def sync(app=None, *, rounds: int = ROUNDS, timeout: float | None = None) -> int | None:
    """Apply pending outbox rows if this process can take the writer lock; return how many, or None when the lock
    stayed busy (the rows wait for its holder, the next writer or `search sync`). While a reindex runs, nobody waits
    for the lock: the reindex applies every waiting row once its new index is in place."""
    app = app or current_app._get_current_object()
    wait = app.config["SEARCH_WRITER_TIMEOUT"] if timeout is None else timeout
    if timeout is None and _reindexing(app):
        wait = 0
    applied = 0
    with Session(db.engine) as session:
        for _ in range(rounds):
            with read_only():
                # Each key once, however many rows name it (a thread touched by many posts): the newest row's id
                # stands for the key's rows up to it, so each document is written once and the index keeps no
                # superseded copies (whose lengths would still weigh in whoosh's statistics until a merge).
                rows = session.execute(select(func.max(SearchOutbox.id), SearchOutbox.key)
                                       .group_by(SearchOutbox.key).order_by(func.min(SearchOutbox.id))
                                       .limit(BATCH)).all()
                session.rollback()  # the documents are read after the lock is ours: never older than the rows
            if not rows:
                return applied
            folder = _current(app)
            try:
                writer = _index(app, folder).writer(timeout=wait)
            except LockError:
                return applied or None
            except FileNotFoundError:  # a reindex dropped this generation while we looked: look again
                continue
            if _current(app) != folder:  # a reindex swapped generations while we waited: write to the new one
                writer.cancel()
                continue
            try:
                with read_only():
                    changes, done = _changes_of(session, rows)
                    session.rollback()
                _apply(writer, changes)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=len(writer.segments) >= MERGE_AT)  # merging is the costly part: do it now and then
            with write_intent():
                _forget_keys(session, done)
            applied += len(done)
            if len(done) < len(rows):  # some rows can't be applied now: they wait, and so does the rest till later
                return applied
    return applied


def _changes_of(session: Session, rows) -> tuple[list[Change], list[int]]:
    """The changes the rows ask for, and the ids of the rows they cover. A key whose documents can't be built (a
    builder's bug, a row it can't read) stays in the outbox, logged, and doesn't hold up the others."""
    try:
        return _changes(session, [key for _, key in rows]), list(rows)
    except Exception:
        session.rollback()
        log.exception("search: a batch of %d outbox rows failed; applying them one by one", len(rows))
    changes, done = [], []
    for row_id, key in rows:
        try:
            changes.extend(_changes(session, [key]))
        except Exception:
            session.rollback()
            log.exception("search: %s can't be applied; it stays in the outbox", key)
            continue
        done.append((row_id, key))
    return changes, done


def _marker(app) -> str:
    return os.path.join(_root(app), "reindexing")


def _reindexing(app) -> bool:
    """A reindex started less than REINDEX_HOURS ago and hasn't finished (a crashed one is forgotten after that)."""
    try:
        return time.time() - os.path.getmtime(_marker(app)) < REINDEX_HOURS * 3600
    except OSError:
        return False


def _forget_keys(session: Session, rows) -> None:
    """Delete each key's rows up to the id read for it (rows written after the read stay, for the next writer)."""
    if rows:
        table = SearchOutbox.__table__
        upto = delete(table).where(table.c.key == bindparam("k"), table.c.id <= bindparam("upto"))
        session.connection().execute(upto, [{"k": key, "upto": row_id} for row_id, key in rows])
    session.commit()


def _forget(session: Session, ids: list[int]) -> None:
    for start in range(0, len(ids), 1000):
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(ids[start:start + 1000])))
    session.commit()


def _index(app, folder: str):
    """The index in `folder`, opened once per process (its writers and searchers read the newest state)."""
    cache = app.extensions.setdefault("search_indexes", {})
    if folder not in cache:
        cache.clear()
        cache[folder] = index.open_dir(folder)
    return cache[folder]


def _changes(session: Session, keys: list[str]) -> list[Change]:
    by_prefix: dict[str, set[int]] = {}
    for key in keys:
        prefix, _, ident = key.partition(":")
        if prefix in _SOURCES and ident.isdigit():
            by_prefix.setdefault(prefix, set()).add(int(ident))
        else:
            log.warning("search outbox: no source for %r; dropping it", key)
    changes = []
    for prefix, ids in by_prefix.items():
        changes.extend(_SOURCES[prefix].changes(session, sorted(ids)))
    return changes


def _apply(writer, changes: list[Change]) -> None:
    """Deletions first, then each key's newest document once (a writer's deletes don't see its own additions)."""
    docs = {}
    for change in changes:
        for name, value in change.drop:
            writer.delete_by_term(name, value)
        for doc in change.docs:
            docs[doc["key"]] = doc
    for doc in docs.values():
        writer.update_document(**_stamped(doc))


def _stamped(doc: dict) -> dict:
    doc = {name: _naive(value) for name, value in doc.items() if value is not None}
    doc["facets"] = _facets(doc)
    doc["digest"] = digest(doc)  # `facets` included: an index written by an older version reads as stale
    return doc


def digest(doc: dict) -> str:
    content = repr(sorted((k, v.isoformat() if isinstance(v, datetime) else v) for k, v in doc.items()
                          if k != "digest" and v is not None))
    return hashlib.blake2b(content.encode(), digest_size=12).hexdigest()


def _naive(value):
    """Datetimes become microseconds since 1970, UTC (a sort column); naive ones are UTC already."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return int(aware.timestamp() * 1_000_000)
    return value


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))
