"""The best hits of plain words, fast enough for common words on a large index.

Whoosh finds and scores hits through a tree of matcher objects: several Python calls per document and level, so a
word found in 20,000 posts took 200 ms to rank and two such words 300 ms. Most searches are plain words plus the
page's filters, and for those this module reads each term's postings once, straight through, and adds up the same
BM25F scores whoosh would give (same formula, same index statistics; a test compares the two), keeping the documents
that hold a term of every group. Field lengths and dates are read per segment as whole arrays and kept while the
segment lives (segments never change once written; a new one gets a new id).

Words after NOT are left out; phrases ("read only") are found as whoosh finds them, their words at consecutive
positions. Anything else (nested groups, a non-BM25F weighting) returns None and whoosh answers it the usual way."""

import heapq
from dataclasses import dataclass

from whoosh import query, scoring
from whoosh.reading import TermNotFound

from . import postings

Terms = list  # (field, text) terms and PhraseOf phrases: a document must hold one of them
PROBE_BELOW = 1 / 16  # candidates per posting under which postings are probed (skip_to) rather than read through


@dataclass(frozen=True)
class PhraseOf:
    """Words next to each other, in order, in one field ("read only"): whoosh's Phrase with its default slop of 1,
    scored as whoosh scores it, the sum of its words' scores in that field."""

    field: str
    words: tuple[str, ...]


@dataclass
class Ranked:
    best: list[tuple[float, int]]  # (score, global docnum), best first: `want` of them when there are that many
    parts: list[tuple[int, dict[int, float]]]  # per segment: its offset, and its matching documents' scores
    total: int

    def scored(self, low: float, high: float) -> list[tuple[float, int]]:
        """Every matching (score, global docnum) with low <= score <= high."""
        return [(score, offset + docnum) for offset, part in self.parts
                for docnum, score in part.items() if low <= score <= high]


def groups_of(parsed) -> list[Terms] | None:
    """The query as groups of terms, a document matching one term of each group; [] for "everything"; None for any
    other shape of query."""
    if parsed is None or isinstance(parsed, query.Every):
        return []
    children = parsed.subqueries if type(parsed) is query.And else [parsed]
    groups = []
    for child in children:
        terms = _any_of(child)
        if terms is None:
            return None
        groups.append(terms)
    return groups


def plan_of(parsed) -> tuple[list[Terms], Terms] | None:
    """(groups of terms as `groups_of` reads them, terms no document may hold) for plain words, optionally with NOT
    words ("report NOT pdf"); None for any other shape of query."""
    children = parsed.subqueries if type(parsed) is query.And else [parsed]
    negated = [child for child in children if type(child) is query.Not]
    if not negated:
        groups = groups_of(parsed)
        return None if groups is None else (groups, [])
    excluded: Terms = []
    for child in negated:
        terms = _any_of(child.query, phrases=False)
        if terms is None:
            return None
        excluded.extend(terms)
    kept = [child for child in children if type(child) is not query.Not]
    groups = groups_of(query.And(kept)) if kept else None
    return None if not groups else (groups, excluded)


def _any_of(child, phrases: bool = True) -> Terms | None:
    """A term or phrase, or a plain OR of them (what the parser makes of one word over title and body)."""
    plain_or = type(child) is query.Or and child.minmatch == 0 and child.scale is None and child.boost == 1.0
    alternatives = child.subqueries if plain_or else [child]
    found = []
    for alternative in alternatives:
        if type(alternative) is query.Term and alternative.boost == 1.0:
            found.append((alternative.fieldname, alternative.text))
        elif (phrases and type(alternative) is query.Phrase and alternative.boost == 1.0 and alternative.slop == 1
              and len(alternative.words) > 1 and all(isinstance(word, str) for word in alternative.words)):
            found.append(PhraseOf(alternative.fieldname, tuple(alternative.words)))
        else:
            return None
    return found or None


def top(searcher, words: list[Terms], required: list[Terms], excluded: Terms, want: int,
        newest: bool = False) -> Ranked | None:
    """The `want` best documents holding a term of each group of `words` (scored) and of `required` (not scored),
    and none of `excluded`: by score, or newest first. None when whoosh should answer instead."""
    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F or (not words and not required and not newest):
        return None
    if not searcher.doc_count():  # every document deleted (whoosh's idf would divide by it)
        return Ranked(best=[], parts=[], total=0)
    terms = {term for group in words for alternative in group for term in _terms_of(alternative)}
    scorers = {term: _Scorer(searcher, weighting, *term) for term in terms}
    parts = [(offset, _segment(reader, words, required, excluded, scorers)) for reader, offset in _leaves(searcher)]
    tops = []
    for (offset, part), (reader, _) in zip(parts, _leaves(searcher), strict=True):
        if not part:
            continue
        if newest:
            created = postings.created(reader)
            tops.extend(((created[docnum], -offset - docnum), part[docnum], offset + docnum)
                        for docnum in _top_keys(part, want, created.__getitem__))
        else:
            tops.extend((part[docnum], part[docnum], offset + docnum) for docnum in _top_keys(part, want))
    best = [(score, docnum) for _, score, docnum in heapq.nlargest(want, tops)]
    return Ranked(best=best, parts=parts, total=sum(len(part) for _, part in parts))


def _terms_of(alternative) -> list[tuple[str, str]]:
    if isinstance(alternative, PhraseOf):
        return [(alternative.field, word) for word in alternative.words]
    return [alternative]


def _top_keys(part: dict[int, float], want: int, value=None) -> list[int]:
    """The docnums of `part` with the `want` highest values (scores, or `value(docnum)`), and any tied with the
    last. (The `want`-th highest value first, then a filter: both loops run in C, unlike nlargest with a key.)"""
    if value is None:
        cut = heapq.nlargest(want, part.values())[-1]
        return [docnum for docnum, score in part.items() if score >= cut]
    cut = heapq.nlargest(want, map(value, part))[-1]
    return [docnum for docnum in part if value(docnum) >= cut]


def _leaves(searcher):
    return [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]


class _Scorer:
    """BM25F for one term, as whoosh.scoring.BM25FScorer computes it: idf and the average length from the whole
    index, the term's weight (its frequency times the field's boost) and the document's field length."""

    def __init__(self, searcher, weighting, field, text):
        b = weighting._field_B.get(field, weighting.B)
        k1 = weighting.K1
        average = searcher.avg_field_length(field) or 1
        self.field = field
        self.scorable = searcher.schema[field].scorable
        self.numerator = searcher.idf(field, text) * (k1 + 1)
        self.constant = k1 * (1 - b)
        self.per_length = k1 * b / average

    def scores(self, blocks, lengths, only=None) -> dict[int, float]:
        """{docnum: score} for the postings' documents (of `only`, when given)."""
        numerator, constant, per_length = self.numerator, self.constant, self.per_length
        found: dict[int, float] = {}
        for ids, weights in blocks:  # a comprehension per block: the loop runs in C as far as Python allows
            pairs = zip(ids, weights, strict=True)
            if not self.scorable:
                found.update({docnum: weight for docnum, weight in pairs if only is None or docnum in only})
            elif only is None:
                found.update({docnum: numerator * weight / (weight + constant + per_length * lengths[docnum])
                              for docnum, weight in pairs})
            else:
                found.update({docnum: numerator * weight / (weight + constant + per_length * lengths[docnum])
                              for docnum, weight in pairs if docnum in only})
        return found


def _segment(reader, words, required, excluded, scorers) -> dict[int, float]:
    """{docnum: score} of one segment's matching live documents."""
    frequency = _frequencies(reader)

    def size(group) -> int:
        return sum(min(frequency(*term) for term in _terms_of(alternative)) for alternative in group)

    allowed = None  # what the filters let through
    for group in sorted(required, key=size):
        found = postings.documents(reader, group)
        allowed = found if allowed is None else allowed & found
        if not allowed:
            return {}
    candidates: dict[int, float] | None = None
    for group in sorted(words, key=size):
        within = candidates if candidates is not None else allowed
        probe = sorted(within) if within is not None and len(within) < size(group) * PROBE_BELOW else None
        matched: dict[int, float] = {}
        for term in group:
            if isinstance(term, PhraseOf):
                part = _phrase(reader, term, scorers, within, frequency)
            else:
                part = scorers[term].scores(postings.postings(reader, term, probe), postings.lengths(reader, term[0]),
                                            only=within)
            if matched:
                for docnum, score in part.items():
                    matched[docnum] = matched.get(docnum, 0.0) + score
            else:
                matched = part
        candidates = matched if candidates is None else {docnum: candidates[docnum] + score
                                                         for docnum, score in matched.items()}
        if not candidates:
            return {}
    if candidates is None:  # no words: what the filters let through (or every document), by date
        candidates = dict.fromkeys(allowed if allowed is not None else range(reader.doc_count_all()), 0.0)
    for term in excluded:
        hidden = postings.documents(reader, [term])
        if len(hidden) < len(candidates):
            for docnum in hidden:
                candidates.pop(docnum, None)
        else:
            candidates = {docnum: score for docnum, score in candidates.items() if docnum not in hidden}
    if reader.has_deletions():  # postings keep deleted documents until segments merge
        deleted = getattr(reader, "deleted_docs_set", None)
        if deleted is None:
            deleted = [docnum for docnum in range(reader.doc_count_all()) if reader.is_deleted(docnum)]
        for docnum in deleted:
            candidates.pop(docnum, None)
    return candidates


def _phrase(reader, phrase: PhraseOf, scorers, within, frequency) -> dict[int, float]:
    """{docnum: score} of the documents (of `within`, when given) holding the phrase: those holding all its words,
    scored as their sum, then kept if the words stand at consecutive positions."""
    lengths = postings.lengths(reader, phrase.field)
    found = None
    for word in sorted(phrase.words, key=lambda word: frequency(phrase.field, word)):  # the rarest first
        term = (phrase.field, word)
        limit = found if found is not None else within
        probe = sorted(limit) if limit is not None and len(limit) < frequency(*term) * PROBE_BELOW else None
        part = scorers[term].scores(postings.postings(reader, term, probe), lengths, only=limit)
        found = part if found is None else {docnum: found[docnum] + score for docnum, score in part.items()}
        if not found:
            return {}
    positions = [postings.positions(reader, (phrase.field, word), found) for word in phrase.words]
    return {docnum: score for docnum, score in found.items()
            if _consecutive([at.get(docnum, ()) for at in positions])}


def _consecutive(positions: list) -> bool:
    """Whether some position of the first word is followed by the second word at the next one, and so on."""
    following = [set(at) for at in positions[1:]]
    return any(all(start + step in at for step, at in enumerate(following, start=1)) for start in positions[0])


def _frequencies(reader):
    def frequency(field, text) -> int:
        try:
            return reader.doc_frequency(field, text)
        except TermNotFound:
            return 0

    return frequency
