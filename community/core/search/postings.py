"""Whoosh 2.7's postings and columns, read fast for `ranking`: posting blocks decoded whole (ids with accumulate()
in C), fixed-width columns read as one string, and what is asked again and again (a common term's postings, field
lengths, dates, a filter's documents) kept per segment while it lives: a segment never changes once written (its
deletions aside, which `ranking` applies itself), and a new one gets a new id."""

import itertools
import threading
from array import array
from collections import OrderedDict

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from . import fast_columns

KEEP_POSTINGS_FROM = 2_000  # a term in this many documents of a segment keeps its decoded postings…
POSTINGS_KEPT = 4_000_000  # …within this many postings per process (8 bytes each: 32 MB)
VALUES_KEPT = 2_000_000  # values of per-segment arrays (lengths, dates, filters' documents) kept per process
PROBE_FROM = 16  # postings per wanted document from which they are read whole rather than probed (skip_to)
_BYTE_LENGTHS = [length or 1 for length in fast_columns.BYTE_LENGTHS]


def positions(reader, term, documents: dict[int, float]) -> dict[int, list[int]]:
    """The term's positions in each of `documents` holding it."""
    try:
        matcher = reader.postings(*term)
    except TermNotFound:
        return {}
    if type(matcher) is FilterMatcher:
        matcher = matcher.child
    decode = reader.schema[term[0]].format.decode_positions
    found = {}
    if type(matcher) is W3LeafMatcher and len(documents) * PROBE_FROM >= reader.doc_frequency(*term):
        while matcher.is_active():  # block by block, as `_blocks` reads them
            if matcher._data is None:
                matcher._read_data()
            ids = matcher._data[0] if matcher._byteids else array("I", itertools.accumulate(matcher._data[0]))
            matcher._read_values()
            start = matcher._i
            found.update((docnum, decode(value)) for docnum, value in zip(ids[start:], matcher._values[start:],
                                                                          strict=True) if docnum in documents)
            matcher._next_block()
        return found
    for docnum in sorted(documents):
        if not matcher.is_active():
            break
        matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            found[docnum] = matcher.value_as("positions")
    return found


def documents(reader, group: list[tuple[str, str]]) -> frozenset[int]:
    """The documents holding any term of `group` (filters and exclusions: few terms, asked again and again)."""
    sets = [_keep(reader, f"documents:{field}:{text!r}",
                  lambda field=field, text=text: frozenset(docnum for ids, _ in postings(reader, (field, text))
                                                           for docnum in ids))
            for field, text in group]
    return sets[0] if len(sets) == 1 else frozenset().union(*sets)


def postings(reader, term, probe: list[int] | None = None):
    """The term's postings in this segment, deleted documents included, as blocks of (docnums, weights); only those
    of the sorted `probe` docnums (found by skipping ahead) when given."""
    try:
        matcher = reader.postings(*term)
    except TermNotFound:
        return ()
    if type(matcher) is FilterMatcher:  # the reader's filter of deleted documents: `_segment` drops them at the end
        matcher = matcher.child
    if probe is not None:
        return [_probed(matcher, probe)]
    if reader.doc_frequency(*term) < KEEP_POSTINGS_FROM:
        return _blocks(matcher)
    return [_keptpostings(reader, term, matcher)]


def _blocks(matcher):
    """Whoosh 2.7's posting blocks as they are stored (decoding posting by posting costs ten times more)."""
    if type(matcher) is not W3LeafMatcher:
        yield _probed(matcher, None)
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids = matcher._data[0]
        if not matcher._byteids:  # delta-encoded: whoosh decodes them in a Python loop, accumulate() in C
            ids = array("I", itertools.accumulate(ids))
        matcher._read_weights()
        start = matcher._i
        yield (ids[start:], matcher._weights[start:]) if start else (ids, matcher._weights)
        matcher._next_block()


def _probed(matcher, wanted: list[int] | None) -> tuple[list[int], list[float]]:
    """(docnums, weights) of the matcher's postings, or of those among `wanted` (sorted)."""
    ids, weights = [], []
    if wanted is None:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids, weights
    for target in wanted:
        if not matcher.is_active():
            break
        matcher.skip_to(target)
        if matcher.is_active() and matcher.id() == target:
            ids.append(target)
            weights.append(matcher.weight())
    return ids, weights


# Per-segment arrays ----------------------------------------------------------------------------------------------

_kept: OrderedDict = OrderedDict()
_kept_lock = threading.Lock()


def _keep(reader, name: str, load):
    key = (reader.segment().segment_id(), reader.doc_count_all(), name)
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    value = load()
    with _kept_lock:
        _kept[key] = value
        total = sum(len(kept) for kept in _kept.values())
        while total > VALUES_KEPT and len(_kept) > 1:
            total -= len(_kept.popitem(last=False)[1])
    return value


_postings_kept: OrderedDict = OrderedDict()


def _keptpostings(reader, term, matcher) -> tuple[array, array]:
    """A common term's postings in this segment, decoded once (decoding is most of the cost of reading them) and
    kept while the segment lives, the least recently used dropped first past POSTINGS_KEPT."""
    key = (reader.segment().segment_id(), *term)
    with _kept_lock:
        if key in _postings_kept:
            _postings_kept.move_to_end(key)
            return _postings_kept[key]
    ids, weights = array("I"), array("f")
    for block_ids, block_weights in _blocks(matcher):
        ids.extend(block_ids)
        weights.extend(block_weights)
    with _kept_lock:
        _postings_kept[key] = ids, weights
        total = sum(len(kept_ids) for kept_ids, _ in _postings_kept.values())
        while total > POSTINGS_KEPT and len(_postings_kept) > 1:
            total -= len(_postings_kept.popitem(last=False)[1][0])
    return ids, weights


def lengths(reader, field: str):
    """Every document's length of `field` in this segment, as whoosh stores it (one byte, decoded; 1 if none)."""
    def load():
        encoded = fast_columns.length_bytes(reader._perdoc, field) if hasattr(reader, "_perdoc") else None
        if encoded is None:
            return [reader.doc_field_length(docnum, field, 1) or 1 for docnum in range(reader.doc_count_all())]
        return [_BYTE_LENGTHS[b] for b in encoded]

    return _keep(reader, "length:" + field, load)


def created(reader):
    """Every document's `created` value in this segment (microseconds since 1970)."""
    return _keep(reader, "created", lambda: _load_created(reader))


def _load_created(reader):
    count = reader.doc_count_all()
    column_type = reader.schema["created"].column_type
    column = fast_columns.raw_column(reader._perdoc, "created", column_type) if hasattr(reader, "_perdoc") else None
    if column is None or column._fixedlen != 8:
        return list(reader.column_reader("created")) if reader.has_column("created") else [0] * count
    values = array("q", column._dbfile.get(column._basepos, column._count * 8))
    values.byteswap()  # whoosh writes columns big-endian ("!q")
    values.extend([column_type.default_value()] * (count - len(values)))
    return values
