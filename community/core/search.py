"""Search: a Whoosh index kept in step with the database through an outbox. The only module that imports whoosh.

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

import contextlib
import hashlib
import itertools
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from flask import current_app
from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session
from whoosh import columns, fields, index, qparser, query, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.index import LockError

from ..extensions import db
from .db import after_commit, read_only, write_intent
from .models import SearchOutbox
from .permissions import ROLES, roles_up_to

log = logging.getLogger(__name__)

KINDS = ("topic", "post", "event", "member")
PUBLIC = "public"  # the visibility of documents everyone may see; else the lowest role that may (as categories)
VISIBILITIES = (PUBLIC, *ROLES)


def visible_to(user) -> tuple[str, ...]:
    """The visibilities `user` may find: everyone's, and those of the roles they hold."""
    return (PUBLIC, *roles_up_to(user))

BATCH = 500  # outbox rows applied per index commit
ROUNDS = 20  # batches one lock holder applies before letting go (the rest wait for the next writer or `sync`)
SNIPPET_CHARS = 240
CACHED_RESULTS = 200  # result pages kept per process and thread until the index changes (repeated searches)
TIES_UP_TO = 2000  # hits collected at most to settle a tie at the end of a page
COUNT_UP_TO = 500  # hits counted exactly; past this the page says "more than 500"
REINDEX_HOURS = 6  # a reindex marker older than this belongs to a reindex that died
MERGE_AT = 10  # small segments an incremental commit leaves before it merges them


def _remember_missing_columns() -> None:
    """Whoosh 2.7 looks for a field's length column with a stat() call for every posting it merges, and remembers
    only the columns it found; fields without lengths (ID, KEYWORD) are looked for again and again. A finished
    segment's files never change, so remember the answer per segment reader: merges run about 10 % faster."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    if getattr(W3PerDocReader.has_column, "remembers", False):
        return
    looks = W3PerDocReader.has_column

    def has_column(self, fieldname):
        known = self.__dict__.setdefault("_columns_known", {})
        if fieldname not in known:
            known[fieldname] = looks(self, fieldname)
        return known[fieldname]

    has_column.remembers = True
    W3PerDocReader.has_column = has_column


_remember_missing_columns()


def schema() -> fields.Schema:
    """Fields cost indexing time: only what is searched is indexed (numbers and dates are stored or kept as sort
    columns, never indexed as trie terms), and "did you mean" learns its words from titles only."""
    text = StemmingAnalyzer()
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),  # "post:12": one document per key
        kind=fields.ID(stored=True),
        id=fields.STORED,  # the row's id in its own table
        topic_id=fields.ID(stored=True),  # topics and their posts, so a thread's documents go together
        number=fields.STORED,  # a post's number in its topic, for its link
        title=fields.TEXT(analyzer=text, stored=True, field_boost=2.0, spelling=True),  # not on replies
        body=fields.TEXT(analyzer=text, stored=True),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        category=fields.ID(stored=True),
        author=fields.ID(stored=True),  # the author's user id, as text
        created=fields.COLUMN(columns.NumericColumn("q")),  # microseconds since 1970 (UTC): "newest first"
        solved=fields.BOOLEAN(stored=True),
        visibility=fields.ID(stored=True),
        digest=fields.STORED,  # of the document's content: `check` finds stale documents with it
    )


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
                rows = session.execute(select(SearchOutbox.id, SearchOutbox.key).order_by(SearchOutbox.id)
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
                _forget(session, done)
            applied += len(done)
            if len(done) < len(rows):  # some rows can't be applied now: they wait, and so does the rest till later
                return applied
    return applied


def _changes_of(session: Session, rows) -> tuple[list[Change], list[int]]:
    """The changes the rows ask for, and the ids of the rows they cover. A key whose documents can't be built (a
    builder's bug, a row it can't read) stays in the outbox, logged, and doesn't hold up the others."""
    try:
        return _changes(session, [key for _, key in rows]), [row_id for row_id, _ in rows]
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
        done.append(row_id)
    return changes, done


def _marker(app) -> str:
    return os.path.join(_root(app), "reindexing")


def _reindexing(app) -> bool:
    """A reindex started less than REINDEX_HOURS ago and hasn't finished (a crashed one is forgotten after that)."""
    try:
        return time.time() - os.path.getmtime(_marker(app)) < REINDEX_HOURS * 3600
    except OSError:
        return False


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
    doc["digest"] = digest(doc)
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


# Reindex and check -----------------------------------------------------------------------------------------------

def expected_count(session: Session) -> int:
    return sum(source.count(session) for source in _SOURCES.values() if source.count)


def everything(session: Session) -> Iterator[dict]:
    for source in _SOURCES.values():
        if source.everything:
            yield from source.everything(session)


def reindex(app=None, progress: Callable[[int], None] = lambda n: None, lock_timeout: float = 60.0) -> int:
    """Build a fresh generation from the database and swap it in; return the number of documents."""
    app = app or current_app._get_current_object()
    root = _root(app)
    folder = _current(app)
    old_writer = _index(app, folder).writer(timeout=lock_timeout)  # nobody applies rows to the old index now
    if _current(app) != folder:  # another reindex swapped generations while we waited for its lock
        old_writer.cancel()
        raise LockError("Another reindex has just finished; the index is fresh.")
    with open(_marker(app), "w") as marker:
        marker.write(str(os.getpid()))
    try:
        with read_only(), Session(db.engine) as session:
            covered = list(session.scalars(select(SearchOutbox.id)))  # committed before we read: in what we read
            name = _new_generation(root)
            folder = os.path.join(root, name)
            # One segment per core, built in parallel: indexing is CPU-bound pure Python.
            procs = max(1, min(os.cpu_count() or 1, 4))
            writer = index.open_dir(folder).writer(limitmb=1024, procs=procs, multisegment=procs > 1)
            count = 0
            try:
                for doc in everything(session):
                    writer.add_document(**_stamped(doc))
                    count += 1
                    if count % 200 == 0:
                        progress(200)
                progress(count % 200)
            except BaseException:
                writer.cancel()
                shutil.rmtree(folder, ignore_errors=True)
                raise
        writer.commit()
        link = os.path.join(root, f"current.{name}")
        os.symlink(name, link)
        os.replace(link, os.path.join(root, "current"))  # the atomic swap
        with write_intent(), Session(db.engine) as session:
            _forget(session, covered)
        sync(app, timeout=lock_timeout)  # what changed while we read
    finally:
        old_writer.cancel()
        with contextlib.suppress(OSError):
            os.remove(_marker(app))
    _drop_old_generations(root)
    return count


def _drop_old_generations(root: str) -> None:
    current = os.readlink(os.path.join(root, "current"))
    for name in os.listdir(root):
        if name.startswith("gen-") and name != current:
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


@dataclass
class Differences:
    missing: list[str]
    extra: list[str]
    stale: list[str]
    pending: int

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.stale)


def check(app=None) -> Differences:
    """Compare the index with the documents the database implies."""
    app = app or current_app._get_current_object()
    with read_only(), Session(db.engine) as session:
        expected = {doc["key"]: digest(_stamped(doc)) for doc in everything(session)}
        waiting = session.scalar(select(func.count()).select_from(SearchOutbox))
    with open_index(app).searcher() as searcher:
        found = {stored["key"]: stored.get("digest") for stored in searcher.all_stored_fields()}
    return Differences(
        missing=sorted(expected.keys() - found.keys()),
        extra=sorted(found.keys() - expected.keys()),
        stale=sorted(key for key in expected.keys() & found.keys() if expected[key] != found[key]),
        pending=waiting,
    )


# Queries ---------------------------------------------------------------------------------------------------------

@dataclass
class Hit:
    key: str
    kind: str
    id: int
    title: str
    snippet_html: str  # escaped text with <mark>ed words
    topic_id: int | None
    number: int | None
    category: str | None
    author: str | None
    solved: bool
    tags: list[str]


@dataclass
class Results:
    """One page of hits. Counting every hit of a common word costs more than finding the best ones, so `total` is
    exact up to COUNT_UP_TO hits; past that, `exact` is False and `total` is COUNT_UP_TO ("more than 500")."""

    hits: list[Hit]
    total: int
    page: int
    has_next: bool
    exact: bool = True
    suggestion: str | None = None  # "did you mean", from the index's spelling
    too_common: bool = False  # every word was a stop word ("the", "how"): nothing to look for

    @property
    def pages(self) -> int | None:
        """How many pages there are, when the total is exact."""
        return max(1, -(-self.total // self.per_page)) if self.exact else None

    per_page: int = 20


@dataclass
class Filters:
    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    category: str | None = None
    author: str | None = None
    solved: bool | None = None
    topic_ids: tuple[int, ...] = ()


def _parser(group=qparser.AndGroup):
    return _plain(qparser.MultifieldParser(["title", "body"], schema=schema(), group=group))


def _plain(parser):
    """Plain words, "phrases", (groups), AND/OR/NOT; no field:value (filters are ours), wildcards, ranges or
    boosts: they would let one query walk the whole term list."""
    for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin):
        parser.remove_plugin_class(plugin)
    return parser


class Malformed(ValueError):
    """Whoosh could not read the query, even as plain words."""


def _parse(parser, words: str):
    """The query as typed; if whoosh's parser trips over its operators (it can, on input such as "NOT AND a"),
    the same words without operators or punctuation."""
    try:
        return parser.parse(words)
    except Exception:  # whoosh raises IndexError, AttributeError… on some operator soups; never a 500 for that
        log.info("search: reading %r as plain words", words, exc_info=True)
    try:
        return parser.parse(_words_only(words)) if _words_only(words) else query.NullQuery
    except Exception as exc:
        raise Malformed(words) from exc


def _words_only(text: str) -> str:
    return " ".join(word.lower() for word in re.findall(r"\w+", text))


def _filter_query(filters: Filters):
    terms = []
    if filters.kinds:
        terms.append(query.Or([query.Term("kind", kind) for kind in filters.kinds]))
    terms.extend(query.Term("tags", tag.lower()) for tag in filters.tags)
    if filters.category:
        terms.append(query.Term("category", filters.category))
    if filters.author:
        terms.append(query.Term("author", filters.author))
    if filters.solved is not None:
        terms.append(query.Term("solved", filters.solved))
    if filters.topic_ids:
        terms.append(query.Or([query.Term("topic_id", str(i)) for i in filters.topic_ids]))
    return query.And(terms) if terms else None


def _narrowed(parsed, filters: Filters | None, visible: Iterable[str]):
    """The words' query, kept to what the filters let through and the viewer may see, in the query itself. (Whoosh's
    `filter`/`mask` arguments test a bitset's truth once per hit, each test scanning the whole set: seconds for a
    common word on 100,000 posts.) What the viewer may not see is subtracted: those posting lists are short."""
    restrict = _filter_query(filters or Filters())
    narrowed = query.And([parsed, restrict]) if restrict is not None else parsed
    hidden = sorted(set(VISIBILITIES) - set(visible))
    return query.AndNot(narrowed, query.Or([query.Term("visibility", name) for name in hidden])) if hidden else narrowed


def search(words: str, *, visible: Iterable[str], filters: Filters | None = None, page: int = 1,
           per_page: int | None = None, newest: bool = False, app=None) -> Results:
    """One page of hits for `words` (empty words: everything the filters let through, newest first), never showing
    what `visible` excludes."""
    app = app or current_app._get_current_object()
    per_page = per_page or app.config["SEARCH_RESULTS_PER_PAGE"]
    parsed = _parse(_parser(), words) if words.strip() else query.Every()
    if _nothing(parsed):
        if filters is None or _filter_query(filters) is None:
            return Results(hits=[], total=0, page=1, has_next=False, too_common=True)
        parsed = query.Every()  # "the tag:api": the filter alone
    sort = newest or isinstance(parsed, query.Every)
    page = max(page, 1)
    narrowed = _narrowed(parsed, filters, visible)
    with _searcher(app) as searcher:
        key = (repr(narrowed), sort, page, per_page)
        cached = searcher.__dict__.setdefault("_community_results", {})  # dropped with the searcher on any change
        if key not in cached:
            if len(cached) >= CACHED_RESULTS:
                cached.pop(next(iter(cached)))
            cached[key] = _run(searcher, narrowed, sort, page, per_page)
            if cached[key].total < 3 and words.strip():
                cached[key].suggestion = _did_you_mean(searcher, words, filters, visible)
        return cached[key]


def _nothing(parsed) -> bool:
    return parsed is query.NullQuery or isinstance(parsed, query.NullQuery.__class__)


def _run(searcher, narrowed, sort: bool, page: int, per_page: int) -> Results:
    shown = page * per_page
    results, ranked = _ranked(searcher, narrowed, sort, shown + 1)  # one more: is there a next page?
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
    results.formatter = _Marks(between=" … ")
    found = len(ranked)
    hits = [_hit(hit) for hit in ranked[shown - per_page:shown]]
    if found <= shown:  # every hit was collected: the count is exact
        total, exact = found, True
    else:
        cap = max(COUNT_UP_TO, shown + 1)
        total = _count(searcher, narrowed, cap)
        exact = total < cap
    return Results(hits=hits, total=total, page=page, has_next=found > shown, exact=exact, per_page=per_page)


def _ranked(searcher, narrowed, sort: bool, want: int):
    """The best `want` hits (newest first, or by score with equal scores in the order of their keys, not of where
    the index happened to put the documents, which differs after a reindex). A cut that falls inside a tie is moved:
    more hits are collected until the last one collected scores below the last one wanted."""
    if sort:
        results = searcher.search(narrowed, limit=want, sortedby=sorting.FieldFacet("created", reverse=True))
        return results, list(results)
    limit = want
    while True:
        results = searcher.search(narrowed, limit=limit)
        ranked = sorted(results, key=lambda hit: (-round(hit.score, 6), hit["key"]))
        if (results.scored_length() < limit or limit >= TIES_UP_TO
                or round(ranked[want - 1].score, 6) > round(ranked[-1].score, 6)):
            return results, ranked[:want]
        limit *= 2


def _count(searcher, narrowed, cap: int) -> int:
    """The hits, counted up to `cap` (without scoring them)."""
    return sum(1 for _ in itertools.islice(searcher.docs_for_query(narrowed), cap))


@contextlib.contextmanager
def _searcher(app):
    """A searcher on the current index, kept open per thread between requests and refreshed when the index has
    changed (opening one costs ~50 ms on a large index; refreshing an unchanged one, a directory listing)."""
    folder = _current(app)
    cache = _searchers.__dict__.setdefault("open", {})
    kept = cache.pop(folder, None)
    if kept is not None and kept.up_to_date():
        searcher = kept
    else:  # not refresh(): it reuses segment readers whose deletions have changed since, and finds deleted documents
        if kept is not None:
            kept.close()
        searcher = _index(app, folder).searcher()
    for old in cache.values():  # a reindex swapped generations: let the old ones go
        old.close()
    cache.clear()
    cache[folder] = searcher
    yield searcher


_searchers = threading.local()


def _did_you_mean(searcher, words: str, filters: Filters | None, visible: Iterable[str]) -> str | None:
    """The words searched (as plain words), each unknown one replaced by the closest word of a title, or None.
    Offered only when the corrected words find something this viewer may see: the title words of the whole index
    include private, deleted and hidden topics' ones."""
    words = _words_only(words)
    if not words:
        return None
    try:
        corrected = searcher.correct_query(_plain(qparser.QueryParser("title", schema=searcher.schema)).parse(words),
                                           words)
        if corrected.query == corrected.original_query:
            return None
        found = _count(searcher, _narrowed(_parser().parse(corrected.string), filters, visible), 1)
    except Exception:  # whoosh's corrector trips on some token soups: no suggestion then, never a 500
        log.info("no spelling suggestion for %r", words, exc_info=True)
        return None
    return corrected.string if found else None


def similar(words: str, *, visible: Iterable[str], kinds=("topic",), limit: int = 20, app=None) -> list[Hit]:
    """Topics whose titles share words with `words` (any of them, best first): "similar questions" while asking.
    Titles only: they say what a question is about, and there are ten times fewer of them than posts."""
    app = app or current_app._get_current_object()
    if not words.strip():
        return []
    parsed = _parse(_plain(qparser.QueryParser("title", schema=schema(), group=qparser.OrGroup.factory(0.9))), words)
    with _searcher(app) as searcher:
        found = searcher.search(_narrowed(parsed, Filters(kinds=kinds), visible), limit=limit)
        return [_hit(hit, snippet=False) for hit in found]


class _Marks(HtmlFormatter):
    """Matched words in <mark>; the text around them is escaped by HtmlFormatter."""

    template = "<mark>%(t)s</mark>"


def _hit(hit, snippet: bool = True) -> Hit:
    body = hit.get("body", "")
    fragment = hit.highlights("body") if snippet and body else ""
    if not fragment:
        fragment = escape(_shorten(body))
    topic_id = hit.get("topic_id")
    return Hit(
        key=hit["key"], kind=hit["kind"], id=hit["id"], title=hit.get("title", ""),
        snippet_html=str(fragment),  # whoosh's HtmlFormatter escapes the text around each <mark>
        topic_id=int(topic_id) if topic_id else None, number=hit.get("number"), category=hit.get("category"),
        author=hit.get("author"), solved=bool(hit.get("solved")),
        tags=[tag for tag in (hit.get("tags") or "").split(",") if tag],
    )


def _shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


