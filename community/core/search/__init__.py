"""Search: a Whoosh index kept in step with the database (`index`), and finding in it (`finding`, with `ranking`
for plain words). This package is the only place that imports whoosh; areas use the names below.

Whoosh-Reloaded 2.7.5 provides the `whoosh` module: the maintained fork of Whoosh 2.7.4 (2016), with the fixes
Python 3.11+ needs (invalid escape sequences, removed stdlib names) and the same file format and API."""

from whoosh.index import LockError

from .finding import (
    COUNT_UP_TO,
    Filters,
    Hit,
    Malformed,
    Results,
    _searcher,
    search,
    similar,
)
from .index import (
    KINDS,
    PUBLIC,
    VISIBILITIES,
    Change,
    Source,
    digest,
    open_index,
    pending,
    queue,
    register,
    schema,
    sync,
    visible_to,
    watch,
)
from .rebuild import Differences, check, everything, expected_count, reindex

__all__ = [
    "COUNT_UP_TO", "KINDS", "PUBLIC", "VISIBILITIES", "Change", "Differences", "Filters", "Hit", "LockError",
    "Malformed", "Results", "Source", "_searcher", "check", "digest", "everything", "expected_count", "open_index",
    "pending", "queue", "register", "reindex", "schema", "search", "similar", "sync", "visible_to", "watch",
]
