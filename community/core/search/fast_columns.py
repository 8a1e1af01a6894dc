"""Whoosh 2.7 reads a document's field length one byte at a time through three layers of Python, once per posting
when it writes a segment and once per hit when it scores. Its length columns are fixed-width (a byte per document),
so they are read here whole, once per segment reader, and two methods of its codec are patched to use that."""

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.util.numeric import byte_to_length

BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]


def raw_column(perdoc, name: str, column_type):
    """The segment's fixed-width column reader for `name`, or None (no such column, or not whoosh 2.7's codec)."""
    try:
        column = perdoc._cached_reader(name, column_type)
        column._dbfile.get, column._basepos, column._count  # noqa: B018  (the attributes read below)
    except AttributeError:
        return None
    return column


def length_bytes(perdoc, fieldname: str) -> bytes | None:
    """Every document's encoded length of `fieldname` (a byte each; 0: none), or None without a length column."""
    kept = perdoc.__dict__.setdefault("_community_lengths", {})
    if fieldname not in kept:
        column = raw_column(perdoc, f"_{fieldname}_len", LENGTHS_COLUMN) if perdoc.has_column(
            f"_{fieldname}_len") else None
        if column is None:
            kept[fieldname] = None
        else:
            raw = column._dbfile.get(column._basepos, column._count)
            kept[fieldname] = bytes(raw) + bytes(max(0, perdoc._doccount - len(raw)))
    return kept[fieldname]


def patch_whoosh() -> None:
    if getattr(W3PerDocReader.has_column, "remembers", False):
        return
    looks = W3PerDocReader.has_column

    def has_column(self, fieldname):
        """Whoosh looks for a field's length column with a stat() call for every posting it merges, and remembers
        only the columns it found; fields without lengths (ID, KEYWORD) were looked for again and again."""
        known = self.__dict__.setdefault("_columns_known", {})
        if fieldname not in known:
            known[fieldname] = looks(self, fieldname)
        return known[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        """As whoosh's (None for a document without the field, `default` for a field without lengths)."""
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = length_bytes(self, fieldname)
        if lengths is None:
            return default
        encoded = lengths[docnum] if docnum < len(lengths) else 0
        return BYTE_LENGTHS[encoded] if encoded else None

    has_column.remembers = True
    doc_field_length.whole = True  # fast_segments reads the same bytes
    W3PerDocReader.has_column = has_column
    W3PerDocReader.doc_field_length = doc_field_length
