"""Rebuilding the index from the database (`reindex`: a fresh generation, swapped in at once) and comparing it
with the database (`check`)."""

import contextlib
import gc
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from whoosh import index
from whoosh.index import LockError

from ...extensions import db
from ..db import read_only, write_intent
from ..models import SearchOutbox
from .index import (
    _SOURCES,
    _current,
    _forget,
    _index,
    _marker,
    _new_generation,
    _root,
    _stamped,
    digest,
    open_index,
    sync,
)


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
    collecting = gc.isenabled()
    try:
        with read_only(), Session(db.engine) as session:
            covered = list(session.scalars(select(SearchOutbox.id)))  # committed before we read: in what we read
            name = _new_generation(root)
            count = _build(session, os.path.join(root, name), progress)
        if collecting:
            gc.enable()  # (before the swap and sync: they allocate like any request)
        link = os.path.join(root, f"current.{name}")
        os.symlink(name, link)
        os.replace(link, os.path.join(root, "current"))  # the atomic swap
        with write_intent(), Session(db.engine) as session:
            _forget(session, covered)
        sync(app, timeout=lock_timeout)  # what changed while we read
    finally:
        if collecting and not gc.isenabled():
            gc.enable()
        old_writer.cancel()
        with contextlib.suppress(OSError):
            os.remove(_marker(app))
    _drop_old_generations(root)
    return count


def _build(session: Session, folder: str, progress: Callable[[int], None]) -> int:
    """Every document the database implies, written into the empty generation `folder`; the number written.
    One segment per core, built in parallel: indexing is CPU-bound pure Python. The writers keep every posting in
    memory as a tuple until their segment is written (millions of them): the cyclic garbage collector's full passes
    would walk them all again and again, and there is no cycle among them to find, so it is off meanwhile (the
    writers' processes are forked from here: they inherit that; `reindex` turns it back on)."""
    procs = max(1, min(os.cpu_count() or 1, 4))
    gc.disable()
    writer = index.open_dir(folder).writer(limitmb=1024, procs=procs, multisegment=procs > 1,
                                           batchsize=1000)  # documents per job file handed to a core
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
