"""Keyset pagination: the page after a key, never a growing OFFSET."""

from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select

from ..extensions import db


@dataclass
class Page:
    items: list
    next_after: Any = None

    @property
    def has_next(self) -> bool:
        return self.next_after is not None


def keyset(query: Select, key, after=None, per_page: int = 24, descending: bool = True) -> Page:
    """Rows of `query` ordered by the unique `key` column, starting after the key value `after`.

    An integer key that no row can have (ids are 1 to 2**31 - 1) is a page that doesn't exist: 404, never an
    overflow in the database driver."""
    if isinstance(after, int) and not 1 <= after < 2**31:
        abort(404)
    if after is not None:
        query = query.where(key < after if descending else key > after)
    query = query.order_by(key.desc() if descending else key.asc()).limit(per_page + 1)
    rows = list(db.session.scalars(query))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows, getattr(rows[-1], key.key) if more else None)
