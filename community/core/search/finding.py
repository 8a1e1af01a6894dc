"""Finding: one page of results for the search page, similar questions while asking, and "did you mean"."""

import contextlib
import itertools
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from flask import current_app
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh import qparser, query, sorting
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.searching import Results as WhooshResults
from whoosh.spelling import Corrector

from . import postings, ranking
from .index import TEXT, VISIBILITIES, _current, _index, facet, schema

log = logging.getLogger(__name__)

SNIPPET_CHARS = 240
CACHED_RESULTS = 200  # result pages kept per process and thread until the index changes (repeated searches)
TIES_UP_TO = 2000  # hits collected at most to settle a tie at the end of a page
COUNT_UP_TO = 500  # hits counted exactly (when whoosh answers); past this the page says "more than 500"

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
        terms.append(query.Or([query.Term("facets", facet("kind", kind)) for kind in filters.kinds]))
    terms.extend(query.Term("facets", facet("tags", tag)) for tag in filters.tags)
    if filters.category:
        terms.append(query.Term("facets", facet("category", filters.category)))
    if filters.author:
        terms.append(query.Term("facets", facet("author", filters.author)))
    if filters.solved is not None:
        terms.append(query.Term("facets", facet("solved", filters.solved)))
    if filters.topic_ids:
        terms.append(query.Or([query.Term("topic_id", str(i)) for i in filters.topic_ids]))
    return query.And(terms) if terms else None


@dataclass
class _Narrowed:
    """What whoosh is asked when `ranking` can't answer: the words with the filters, in the query itself (whoosh
    turns a `filter` query into a bitset tested once per hit: seconds for a common word on 100,000 posts), and the
    documents the viewer may not see, as a set of docnums for whoosh's `mask` (one lookup per hit). Not as AndNot in
    the query: whoosh's AndNot lets subtracted documents through once a segment has deletions (test_search_ranking
    found it), and requiring the visible ones instead made a phrase search three times slower."""

    query: object
    hidden: set[int]


def _narrowed(searcher, parsed, filters: Filters | None, visible: Iterable[str]) -> _Narrowed:
    restrict = _filter_query(filters or Filters())
    return _Narrowed(query.And([parsed, restrict]) if restrict is not None else parsed,
                     _hidden_docnums(searcher, visible))


def _hidden_docnums(searcher, visible: Iterable[str]) -> set[int]:
    hidden = sorted(set(VISIBILITIES) - set(visible))
    kept = searcher.__dict__.setdefault("_community_hidden", {})  # dropped with the searcher on any change
    if tuple(hidden) not in kept:
        kept[tuple(hidden)] = {offset + docnum for sub, offset in searcher.leaf_searchers() for name in hidden
                               for docnum in postings.documents(sub.reader(), [("facets", facet("visibility", name))])}
    return kept[tuple(hidden)]


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
    restrict = _filter_query(filters or Filters())
    with _searcher(app) as searcher:
        key = (repr(parsed), repr(restrict), tuple(sorted(set(visible))), sort, page, per_page)
        cached = searcher.__dict__.setdefault("_community_results", {})  # dropped with the searcher on any change
        if key not in cached:
            if len(cached) >= CACHED_RESULTS:
                cached.pop(next(iter(cached)))
            cached[key] = _run(searcher, parsed, filters, visible, sort, page, per_page)
            if cached[key].total < 3 and words.strip():
                cached[key].suggestion = _did_you_mean(searcher, words, filters, visible)
        return cached[key]


def _nothing(parsed) -> bool:
    return parsed is query.NullQuery or isinstance(parsed, query.NullQuery.__class__)


def _run(searcher, parsed, filters: Filters | None, visible: Iterable[str], sort: bool, page: int,
         per_page: int) -> Results:
    shown = page * per_page
    fast = _fast(searcher, parsed, filters, visible, sort, shown + 1, shown - per_page)  # one more: a next page?
    if fast is not None:
        results, ranked, total = fast
        found, exact = min(total, shown + 1), True
    else:
        narrowed = _narrowed(searcher, parsed, filters, visible)
        results, ranked = _ranked(searcher, narrowed, sort, shown + 1)
        found = len(ranked)
        if found <= shown:  # every hit was collected: the count is exact
            total, exact = found, True
        else:
            cap = max(COUNT_UP_TO, shown + 1)
            total = _count(searcher, narrowed, cap)
            exact = total < cap
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
    results.formatter = _Marks(between=" … ")
    hits = [_hit(hit) for hit in ranked[shown - per_page:shown]]
    return Results(hits=hits, total=total, page=page, has_next=found > shown, exact=exact, per_page=per_page)


def _fast(searcher, parsed, filters: Filters | None, visible: Iterable[str], sort: bool, want: int,
          shown_from: int = 0):
    """(whoosh results, the best `want` hits in order, the exact total) from `ranking`, or None when the query isn't
    plain words, with or without NOT words (whoosh answers those)."""
    plan = ranking.plan_of(parsed)
    required = ranking.groups_of(_filter_query(filters or Filters()))
    if plan is None or required is None:
        return None
    words, excluded = plan
    hidden = [("facets", facet("visibility", name)) for name in sorted(set(VISIBILITIES) - set(visible))]
    ranked = ranking.top(searcher, words, required, excluded + hidden, want=want, newest=sort)
    if ranked is None:
        return None
    best = ranked.best if sort else _in_key_order(searcher, ranked, want, shown_from)
    results = WhooshResults(searcher, parsed, best)
    return results, results[:], ranked.total  # (list() would ask whoosh for a count it has no collector for)


def _in_key_order(searcher, ranked, want: int, shown_from: int = 0) -> list[tuple[float, int]]:
    """The best (score, docnum)s with equal scores (to 6 places) in the order of their keys, as `_ranked` orders
    them: which of several equal documents make the page must not depend on where the index put them. Keys cost a
    stored-fields read each, so only equal scores that reach the shown page (from `shown_from` on) are ordered."""
    def key(item):
        return searcher.stored_fields(item[1])["key"]

    def by_score_then_key(items):
        ordered = []
        for _, equal in itertools.groupby(sorted(items, key=lambda item: -round(item[0], 6)),
                                          key=lambda item: round(item[0], 6)):
            equal = list(equal)
            if len(equal) > 1 and len(ordered) + len(equal) > shown_from:  # reaches the page: keys decide
                equal.sort(key=key)
            ordered.extend(equal)
        return ordered

    best = ranked.best
    if len(best) < want:
        return by_score_then_key(best)
    cut = round(best[-1][0], 6)
    above = by_score_then_key([item for item in best if round(item[0], 6) > cut])
    tied = [item for item in ranked.scored(cut - 1e-6, cut + 1e-6) if round(item[0], 6) == cut]
    if len(tied) > TIES_UP_TO:
        tied = [item for item in best if round(item[0], 6) == cut]
    else:
        tied.sort(key=key)
    return above + tied[:want - len(above)]


def _ranked(searcher, narrowed: _Narrowed, sort: bool, want: int):
    """The best `want` hits (newest first, or by score with equal scores in the order of their keys, not of where
    the index happened to put the documents, which differs after a reindex). A cut that falls inside a tie is moved:
    more hits are collected until the last one collected scores below the last one wanted."""
    mask = narrowed.hidden or None
    if sort:
        results = searcher.search(narrowed.query, limit=want, mask=mask,
                                  sortedby=sorting.FieldFacet("created", reverse=True))
        return results, list(results)
    limit = want + 1
    while True:
        results = searcher.search(narrowed.query, limit=limit, mask=mask)
        ranked = sorted(results, key=lambda hit: (-round(hit.score, 6), hit["key"]))
        if (results.scored_length() < limit or limit >= TIES_UP_TO
                or round(ranked[want - 1].score, 6) > round(ranked[-1].score, 6)):
            return results, ranked[:want]
        limit *= 2


def _count(searcher, narrowed: _Narrowed, cap: int) -> int:
    """The hits, counted up to `cap` (without scoring them)."""
    hidden = narrowed.hidden
    return sum(1 for _ in itertools.islice((docnum for docnum in searcher.docs_for_query(narrowed.query)
                                            if docnum not in hidden), cap))


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
        for name in ("title", "body"):  # the same analyzer as the index's, with the process's warm cache of stems
            searcher.schema[name].analyzer = TEXT
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
                                           words, correctors={"title": _TitleWords(searcher)})
        if corrected.query == corrected.original_query:
            return None
        found = _finds_any(searcher, _parser().parse(corrected.string), filters, visible)
    except Exception:  # whoosh's corrector trips on some token soups: no suggestion then, never a 500
        log.info("no spelling suggestion for %r", words, exc_info=True)
        return None
    return corrected.string if found else None


def _finds_any(searcher, parsed, filters: Filters | None, visible: Iterable[str]) -> bool:
    fast = _fast(searcher, parsed, filters, visible, False, 1)
    if fast is not None:
        return fast[2] > 0
    return _count(searcher, _narrowed(searcher, parsed, filters, visible), 1) > 0


class _TitleWords(Corrector):
    """Title words within two edits of a word (letters added, dropped, changed or swapped), closest first, then the
    most used. Whoosh's own corrector measures the distance to every title word in Python (half a second on 10,000
    titles); rapidfuzz does it in C, over the title words kept with the searcher."""

    def __init__(self, searcher):
        kept = searcher.__dict__
        if "_community_title_words" not in kept:  # dropped with the searcher on any change
            spelling = searcher.schema["title"].spelling_fieldname("title")
            kept["_community_title_words"] = spelling, list(searcher.reader().field_terms(spelling))
        self.field, self.words = kept["_community_title_words"]
        self.frequency = searcher.reader().frequency

    def _suggestions(self, text, maxdist, prefix):
        for word, distance, _ in process.extract(text, self.words, scorer=DamerauLevenshtein.distance,
                                                 score_cutoff=maxdist, limit=None):
            if word != text and word[:prefix] == text[:prefix]:
                yield -(distance + 0.5 / (self.frequency(self.field, word) or 1)), word


def similar(words: str, *, visible: Iterable[str], kinds=("topic",), limit: int = 20, app=None) -> list[Hit]:
    """Topics whose titles share words with `words` (any of them, best first): "similar questions" while asking.
    Titles only: they say what a question is about, and there are ten times fewer of them than posts."""
    app = app or current_app._get_current_object()
    if not words.strip():
        return []
    parsed = _parse(_plain(qparser.QueryParser("title", schema=schema(), group=qparser.OrGroup.factory(0.9))), words)
    with _searcher(app) as searcher:
        narrowed = _narrowed(searcher, parsed, Filters(kinds=kinds), visible)
        found = searcher.search(narrowed.query, limit=limit, mask=narrowed.hidden or None)
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


