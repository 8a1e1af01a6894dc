"""Whoosh 2.7 writes a new segment's postings one at a time: for each of a reindex's four million postings, a loop
checks the order, asks the document's field length through three layers of Python, and hands the posting to a
writer that checks its types and updates its statistics. That was half of a reindex. `add_postings` here writes
each term's postings in blocks of whoosh's own size, with whoosh's own block writer, so the segment's files come
out byte for byte as whoosh writes them (`tests/core/test_search_segments.py` compares the two)."""

from itertools import groupby
from operator import itemgetter

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import W3FieldWriter, W3PerDocReader

from .fast_columns import BYTE_LENGTHS, length_bytes

WHOOSH_ADD_POSTINGS = W3FieldWriter.add_postings
_TERM = itemgetter(0, 1)


def add_postings(self, schema, lengths, items):
    """As whoosh's `FieldWriter.add_postings`: `items` are (fieldname, btext, docnum, weight, value) in order."""
    lastfn = lastterm = None
    length_of = None
    for term, postings in groupby(items, key=_TERM):
        if lastterm is not None and term <= lastterm:
            raise OutOfOrderError(f"Term {lastterm!r} .. {term!r}")
        lastterm = term
        fieldname, btext = term
        if fieldname != lastfn:
            if lastfn is not None:
                self.finish_field()
            self.start_field(fieldname, schema[fieldname])
            lastfn = fieldname
            length_of = _lengths(lengths, fieldname)
        postings = [posting for posting in postings if posting[2] != -1]  # whoosh: -1 marks spelling words
        if postings:
            self.start_term(btext)
            _fill(self._postwriter, postings, length_of)
            self.finish_term()
    if lastfn is not None:
        self.finish_field()


def _fill(writer, postings: list[tuple], length_of) -> None:
    """What whoosh's `W3PostingsWriter.add_posting` does once per posting, a block at a time."""
    limit = writer._blocklimit
    for start in range(0, len(postings), limit):
        if start:
            writer._write_block()
        block = postings[start:start + limit]
        docnums = [posting[2] for posting in block]
        weights = [posting[3] for posting in block]
        writer._ids.extend(docnums)
        writer._weights.extend(weights)
        writer._values.extend(value for _, _, _, _, value in block if value)
        heaviest = max(weights)
        if heaviest > writer._maxweight:
            writer._maxweight = heaviest
        known = [length for length in map(length_of, docnums) if length]
        if known:
            shortest, longest = min(known), max(known)
            if writer._minlength is None or shortest < writer._minlength:
                writer._minlength = shortest
            if longest > writer._maxlength:
                writer._maxlength = longest


def _lengths(lengths, fieldname: str):
    """docnum -> the field's length in that document, as `lengths.doc_field_length(docnum, fieldname)` says."""
    if lengths is None:
        return lambda docnum: 0
    if type(lengths) is W3PerDocReader and getattr(W3PerDocReader.doc_field_length, "whole", False):
        encoded = length_bytes(lengths, fieldname)
        if encoded is None:
            return lambda docnum: 0
        return [BYTE_LENGTHS[byte] if byte else None for byte in encoded].__getitem__
    return lambda docnum: lengths.doc_field_length(docnum, fieldname)


def patch_whoosh() -> None:
    W3FieldWriter.add_postings = add_postings
