"""The fused indexing loop gives exactly what whoosh's own `Positions` format gives for the schema's analyzer."""

import random
from pathlib import Path

import pytest
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.formats import Positions

from bench.seed import Words
from community.core.search import positions
from community.core.search.index import TEXT, schema
from community.core.search.positions import FusedPositions

PAYLOADS = (Path(__file__).parent.parent / "data" / "xss-payloads.txt").read_text(encoding="utf-8").splitlines()

TEXTS = [
    "",
    "the a of",  # only stop words: nothing
    "Testing is testing and TESTING, tested; tests.",
    "Version 3.141 of big-time under_score x y zz",  # dotted numbers, one-letter words dropped
    "İstanbul ŞEHİR straße STRASSE naïve café ǅemal",  # lowercasing that changes a word's length
    "a b c d the quick brown fox the lazy dog " * 40,  # repeats, positions past the single-position cache
    "single\u200bwidth\u00a0spaces\ttabs\nnewlines",
    *PAYLOADS,
]


def whoosh_values(format_cls, text, analyzer=TEXT, boost=1.0):
    return list(format_cls(field_boost=boost).word_values(text, analyzer, mode="index"))


def test_the_schema_analyzer_takes_the_fused_loop():
    assert positions._plan(TEXT) is not None  # else every comparison below compares whoosh with itself
    fields = schema()
    assert type(fields["body"].format) is FusedPositions
    assert type(fields["title"].format) is FusedPositions and fields["title"].format.field_boost == 2.0


@pytest.mark.parametrize("boost", [1.0, 2.0])
def test_same_words_frequencies_weights_and_positions_as_whoosh(boost):
    rng = random.Random(7)
    words = Words(rng)
    generated = ["\n\n".join(words.paragraphs(rng.randint(1, 300))) for _ in range(200)]
    for text in TEXTS + generated:
        assert whoosh_values(FusedPositions, text, boost=boost) == whoosh_values(Positions, text, boost=boost), text


def test_other_analyzers_and_lists_are_whooshs_own():
    other = StandardAnalyzer()
    assert positions._plan(other) is None
    assert positions._plan(StemmingAnalyzer(stoplist=None)) is None  # no stop filter: not the chain the loop knows
    text = "Running runners ran the race"
    assert whoosh_values(FusedPositions, text, other) == whoosh_values(Positions, text, other)
    tokens = ["already", "analysed", "words"]
    assert whoosh_values(FusedPositions, tokens) == whoosh_values(Positions, tokens)


def test_the_stem_cache_forgets_when_full(monkeypatch):
    monkeypatch.setattr(positions, "STEMS_KEPT", 3)
    text = "apples oranges pears grapes plums apples"
    assert whoosh_values(FusedPositions, text) == whoosh_values(Positions, text)
    assert all(len(stems) <= 3 for stems in positions._STEMS.values())
