"""Search latency on the bench community, each query asked for the first time (the per-searcher cache of repeated
searches would otherwise answer in under a millisecond), and the reindex rate.

    python -m bench.search --size full [--reindex]

Words are picked from the index by how many documents hold them: rare (10–100 documents), common (the most frequent
words, in 5–40 % of posts), and pairs of each. Times the whole page
(search, the rows behind the hits, rendering). Prints p50 / p99 / max per group and writes bench/search.json."""

import argparse
import json
import random
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERIES = 100  # per group


def _words(reader, field: str, low: int, high: int) -> list[str]:
    return [term.decode() for term, info in reader.iter_field(field) if low <= info.doc_frequency() <= high]


def groups(app, rng: random.Random) -> dict[str, list[str]]:
    from community.core import search

    with search._searcher(app) as searcher:
        reader = searcher.reader()
        documents = reader.doc_count()
        rare = _words(reader, "body", 10, 100)
        common = _words(reader, "body", documents // 20, documents * 2 // 5)
    pairs = lambda words: [" ".join(rng.sample(words, 2)) for _ in range(QUERIES)]  # noqa: E731
    return {
        "one rare word": rng.sample(rare, min(QUERIES, len(rare))),
        "one common word": [rng.choice(common) for _ in range(QUERIES)],
        "two rare words": pairs(rare),
        "two common words": pairs(common),
        "common word, solved only": [rng.choice(common) + " is:solved" for _ in range(QUERIES)],
        "two common words as a phrase": [f'"{words}"' for words in pairs(common)],
    }


def measure(app, queries: list[str]) -> list[float]:
    """Milliseconds for the whole search page (search, rows, rendering), as an anonymous visitor sees it."""
    from community.core import search

    client = app.test_client()
    timings = []
    for words in queries:
        with search._searcher(app) as searcher:
            searcher.__dict__.pop("_community_results", None)  # first time, every time
        started = time.perf_counter()
        response = client.get("/search", query_string={"q": words})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (words, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="full")
    parser.add_argument("--reindex", action="store_true", help="rebuild the index first and report its rate")
    options = parser.parse_args()
    from bench.seed import use_bench_instance

    use_bench_instance(options.size)
    from community.core import search
    from wsgi import app  # as gunicorn serves it
    report = {"size": options.size}
    with app.app_context():
        if options.reindex:
            started = time.perf_counter()
            count = search.reindex(app)
            seconds = time.perf_counter() - started
            report["reindex"] = {"documents": count, "seconds": round(seconds, 1), "per_second": round(count / seconds)}
            print(f"reindex: {count:,} documents in {seconds:.1f} s, {count / seconds:,.0f} a second")
        rng = random.Random(2026)  # noqa: S311 (the same queries every run)
        for label, queries in groups(app, rng).items():
            measure(app, queries[:3])  # open the searcher and warm the OS cache
            timings = sorted(measure(app, queries))
            p50 = statistics.median(timings)
            p99 = timings[min(len(timings) - 1, round(len(timings) * 0.99) - 1)]
            report[label] = {"queries": len(timings), "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
                             "max_ms": round(timings[-1], 1)}
            print(f"{label:<28} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   max {timings[-1]:6.1f} ms")
    (HERE / "search.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
