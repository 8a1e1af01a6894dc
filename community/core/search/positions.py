"""Whoosh's `Positions` format, with its indexing loop fused for the one analyzer the schema uses.

Whoosh analyses a field through a chain of generators (tokenizer | lowercase | stop words | stemming), several
Python calls per word, then groups the words and encodes their positions; that was a third of a reindex.
`FusedPositions.word_values` does the same in one loop when the analyzer is exactly that chain (whoosh's
`StemmingAnalyzer`), and gives exactly what whoosh's loop gives: the same words in the same order, frequencies,
weights and encoded positions (`tests/core/test_search_positions.py` compares the two). For any other analyzer, or
any option the loop does not know, it is whoosh's own. Only indexing changes: the index's files, its decoding and
query-time analysis are whoosh's.
"""

from collections import defaultdict

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.formats import Positions, dumps  # whoosh's own pickling of positions
from whoosh.system import pack_uint

SINGLES_KEPT = 10_000  # encoded single positions remembered
STEMS_KEPT = 200_000  # distinct words remembered per process (a few tens of MB at most), then forgotten at once


class FusedPositions(Positions):
    def word_values(self, value, analyzer, **kwargs):
        plan = _plan(analyzer) if isinstance(value, str) and set(kwargs) <= {"mode"} else None
        if plan is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        finditer, stops, minsize, maxsize, stem = plan
        positions = defaultdict(list)
        pos = None
        for index, match in enumerate(finditer(value)):
            text = match.group(0).lower()
            if len(text) < minsize or (maxsize is not None and len(text) > maxsize) or text in stops:
                continue
            pos = index if pos is None else pos + 1  # StopFilter(renumber=True): kept words are consecutive
            positions[stem(text)].append(pos)
        boost = self.field_boost
        for word, poslist in positions.items():
            yield word, len(poslist), float(len(poslist)) * boost, _encoded(poslist)


def _encoded(poslist: list[int]) -> bytes:
    """As `Positions.encode`: the count, then the pickled gaps between positions."""
    if len(poslist) == 1 and poslist[0] < SINGLES_KEPT:  # most words of a post: once, at a small position
        single = _SINGLE.get(poslist[0])
        if single is None:
            single = _SINGLE[poslist[0]] = pack_uint(1) + dumps(poslist, 2)
        return single
    deltas, base = [], 0
    for pos in poslist:
        deltas.append(pos - base)
        base = pos
    return pack_uint(len(deltas)) + dumps(deltas, 2)


_SINGLE: dict[int, bytes] = {}


def _plan(analyzer):
    """(finditer, stop words, min size, max size, stem) when `analyzer` is exactly whoosh's StemmingAnalyzer chain
    (any pattern, stop list, sizes, stemming function and ignored words), else None. A few type checks: the
    analyzer is a fresh object each time an index is opened, so nothing is remembered on it."""
    items = getattr(analyzer, "items", None)
    if not items or len(items) != 4 or [type(item) for item in items] != [
            RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]:
        return None
    tokenizer, _, stop, stemmer = items
    if tokenizer.gaps or not stop.renumber or getattr(stemmer, "lang", None):
        return None
    return tokenizer.expression.finditer, stop.stops, stop.min, stop.max, _stemming(stemmer.stemfn, stemmer.ignore)


_STEMS: dict[tuple, dict[str, str]] = {}  # per (stemming function, ignored words): word -> stem


def _stemming(stemfn, ignore):
    stems = _STEMS.setdefault((stemfn, ignore), {})

    def stem(text: str) -> str:
        found = stems.get(text)
        if found is None:
            if len(stems) >= STEMS_KEPT:
                stems.clear()
            found = stems[text] = text if text in ignore else stemfn(text)
        return found

    return stem
