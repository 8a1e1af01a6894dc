"""A segment written by `fast_segments.add_postings` is byte for byte the segment whoosh's own loop writes."""

import random
from pathlib import Path

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3FieldWriter

from bench.seed import Words
from community.core.search import fast_segments
from community.core.search.index import _stamped, schema

PAYLOADS = (Path(__file__).parent.parent / "data" / "xss-payloads.txt").read_text(encoding="utf-8").splitlines()


def documents(count: int) -> list[dict]:
    rng = random.Random(11)
    words = Words(rng)
    docs = []
    for number in range(count):
        body = "\n\n".join(words.paragraphs(rng.choice([3, 40, 400])))  # long ones fill several blocks of 128
        if number % 50 == 0:
            body += " " + PAYLOADS[number // 50 % len(PAYLOADS)]
        doc = {"key": f"post:{number}", "kind": "post", "id": number, "topic_id": str(number // 7),
               "number": number % 7 + 1, "body": body, "tags": rng.choice(["", "api", "api,billing"]),
               "category": str(rng.randint(1, 4)), "author": str(rng.randint(1, 30)), "created": number * 1000,
               "solved": rng.choice(["yes", "no"]), "visibility": "public"}
        if number % 7 == 0:
            doc["title"] = words.title()  # a topic's first post: a title, and its spelling words
        docs.append(_stamped(doc))
    return docs


def segment_files(folder: Path) -> dict[str, bytes]:
    """The segments' term and postings files, by extension (their names hold a random segment id)."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".trm", ".pst"):
            assert path.suffix not in files, "one segment expected"
            files[path.suffix] = path.read_bytes()
    return files


def build(folder: Path, docs: list[dict], batches: int) -> dict[str, bytes]:
    """Write `docs` in `batches` commits (later commits merge earlier segments), then optimise to one segment."""
    folder.mkdir()
    index.create_in(str(folder), schema())
    size = -(-len(docs) // batches)
    for start in range(0, len(docs), size):
        with index.open_dir(str(folder)).writer(compound=False) as writer:  # the files apart, to compare
            for doc in docs[start:start + size]:
                writer.update_document(**doc)
            if start:
                writer.delete_by_term("key", f"post:{start - 3}")  # deletions: merges renumber documents
    index.open_dir(str(folder)).writer(compound=False).commit(optimize=True)
    return segment_files(folder)


@pytest.mark.parametrize("batches", [1, 4])
def test_the_same_bytes_as_whoosh(tmp_path, monkeypatch, batches):
    assert W3FieldWriter.add_postings is fast_segments.add_postings  # else this compares whoosh with itself
    docs = documents(600)
    ours = build(tmp_path / "ours", docs, batches)
    monkeypatch.setattr(W3FieldWriter, "add_postings", fast_segments.WHOOSH_ADD_POSTINGS)
    whooshs = build(tmp_path / "whoosh", docs, batches)
    assert set(ours) == {".trm", ".pst"}
    assert len(ours[".pst"]) > 100_000
    assert ours == whooshs


def test_out_of_order_postings_are_refused(tmp_path):
    folder = tmp_path / "index"
    folder.mkdir()
    index.create_in(str(folder), schema())
    writer = index.open_dir(str(folder)).writer()
    try:
        items = [("body", b"zebra", 0, 1.0, None), ("body", b"apple", 0, 1.0, None)]
        with pytest.raises(Exception, match="zebra"):
            writer.fieldwriter.add_postings(writer.schema, None, iter(items))
    finally:
        writer.cancel()
