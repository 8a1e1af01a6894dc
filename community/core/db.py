"""Database plumbing: SQLite pragmas, IMMEDIATE write transactions, and work that runs only after a commit.

SQLite serves one writer at a time. A write transaction that begins DEFERRED and reads first can fail with
"database is locked" when it later tries to write, whatever the busy timeout; one that begins IMMEDIATE takes the
write lock up front and waits its turn. Requests that may write (every method but GET/HEAD/OPTIONS) and code inside
`write_intent()` begin IMMEDIATE; reads stay DEFERRED so that pages never queue behind a writer (WAL).
"""

import contextlib
import contextvars
import logging

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)
_write_intent = contextvars.ContextVar("write_intent", default=None)  # None: decided by the request's method
BUSY_TIMEOUT_SECONDS = 15


@contextlib.contextmanager
def write_intent():
    """Mark the transactions begun inside this block (CLI commands, tests) as writers."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextlib.contextmanager
def read_only():
    """Mark the transactions begun inside this block as readers, even in a POST request (work after a commit that
    reads first and writes later in a transaction of its own, such as applying the search outbox)."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextlib.contextmanager
def writing():
    """A connection to write on from any request. A writing request (POST…) whose transaction is open already holds
    SQLite's write lock: join it (it commits with the request). Otherwise (a page's DEFERRED read transaction, which
    SQLite may refuse to turn into a write, or none since the last commit) write in a short IMMEDIATE transaction of
    our own, committed at once. Used for what reading a page records (topic views, visits, deflections)."""
    if wants_write() and db.session().in_transaction():
        yield db.session.connection()
        return
    with write_intent(), db.engine.begin() as conn:
        yield conn


def wants_write() -> bool:
    intent = _write_intent.get()
    if intent is not None:
        return intent
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if wants_write() else "BEGIN")


# After-commit work ---------------------------------------------------------------------------------------------

def after_commit(session: Session, callback) -> None:
    """Run `callback()` once the session's current transaction commits; drop it if the transaction rolls back."""
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session):
    if session.in_nested_transaction():  # a savepoint was released: the real commit is still to come
        return
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the data is committed; the outbox keeps the effect for a retry
            log.exception("after-commit work failed; it stays in its outbox")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop("after_commit", None)
