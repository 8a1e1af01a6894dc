"""The benchmark's community, written with bulk inserts: members, categories, topics (one of 500 posts) and posts
whose words follow a Zipf distribution, so search meets rare words and very common ones as it would in a real
forum. Deterministic: the same size gives the same community.

    python -m bench.seed --size full     # 2,000 members, 20 categories, 10,000 topics, 100,000 posts
    python -m bench.seed --size small    # the same shape on 1,000 posts

The database is bench/instance/<size>.db, or BENCH_DATABASE_URL (never DATABASE_URL); it must hold no members yet."""

import argparse
import itertools
import math
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import click
from sqlalchemy import bindparam, func, insert, select, text, update

HERE = Path(__file__).resolve().parent
START = datetime(2024, 11, 23, tzinfo=UTC)  # two years of history before the bench's fixed "now"
NOW = datetime(2026, 11, 23, tzinfo=UTC)
PASSWORD = "bench-password-2026"  # noqa: S105 (the bench members' password, printed in bench/README.md)


@dataclass(frozen=True)
class Size:
    members: int
    categories: int
    topics: int
    posts: int  # every post, openings included
    long_topic: int  # the posts of one very long thread (the topic page's worst case)


SIZES = {
    "full": Size(members=2_000, categories=20, topics=10_000, posts=100_000, long_topic=500),
    "small": Size(members=200, categories=20, topics=100, posts=1_000, long_topic=500),
    "tiny": Size(members=12, categories=3, topics=8, posts=40, long_topic=12),  # the seeding test's
}

# Words by frequency rank. English function words come first (the analyzer drops them, as it does in real posts),
# then the vocabulary of a data product's support forum, then rarer made-up words: the long tail.
STOP = """
the to a and i is it of in for that on with this you be we as have but not can my are if
""".split()  # noqa: SIM905 (a word list reads best as words)
DOMAIN = """
data report dashboard error query table export user connection api chart field filter sync source team access
account refresh schedule warehouse permission column value login sso token webhook invoice plan seat metric upgrade
timeout schema join cache alert email csv import workspace admin role group sheet pipeline model forecast cohort
funnel segment revenue pricing billing trial onboarding integration connector salesforce hubspot snowflake bigquery
postgres redshift mysql python sql script notebook embed share link pdf print mobile browser chrome safari firefox
okta azure google saml scim audit log retention backup restore migration version release bug workaround feature
request roadmap beta preview template theme colour font layout widget pivot aggregate sum average count distinct
date timezone calendar week month quarter year fiscal currency locale language translation permissions viewer editor
owner folder archive delete rename duplicate copy paste undo history comment mention notification digest
subscription webhook retry limit quota rate throttle latency slow fast memory cpu server cluster region deploy
staging production
""".split()  # noqa: SIM905 (a word list reads best as words)
SYLLABLES = """
ka lo mi ne ru sa te vi zo pa di fe gu ho ji ku ly mo nu po qi ra si tu ve wa xo yi ze
""".split()  # noqa: SIM905 (a word list reads best as words)
LONG_TAIL = 15_000
ZIPF = 1.07  # the exponent of natural-language word frequencies


def vocabulary() -> list[str]:
    made_up = ("".join(parts) for parts in itertools.product(SYLLABLES, repeat=3))
    seen = set(STOP) | set(DOMAIN)
    tail = [word for word in made_up if word not in seen]
    return list(dict.fromkeys(STOP + DOMAIN)) + tail[:LONG_TAIL]


class Words:
    """Draws words by Zipf's law over the vocabulary."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = vocabulary()
        weights = [1 / (rank ** ZIPF) for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self) -> str:
        words = self.draw(self.rng.randint(6, 18))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def paragraphs(self, words: int) -> list[str]:
        paragraphs, current, written = [], [], 0
        while written < words:
            sentence = self.sentence()
            current.append(sentence)
            written += sentence.count(" ") + 1
            if len(current) >= self.rng.randint(2, 5):
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        return paragraphs

    def title(self) -> str:
        words = self.draw(self.rng.randint(4, 9))
        return words[0].capitalize() + " " + " ".join(words[1:]) + self.rng.choice(["?", "?", ""])


def post_length(rng: random.Random) -> int:
    """Words in a post: log-normal, a median of 45 words and a long tail (some posts run to 600)."""
    return max(3, min(600, int(rng.lognormvariate(math.log(45), 0.8))))


def body_and_html(words: Words, length: int) -> tuple[str, str]:
    """Markdown of plain paragraphs, and the HTML core/text renders for it (checked by the seeding test)."""
    paragraphs = words.paragraphs(length)
    return "\n\n".join(paragraphs), "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)


def spread(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))


def thread_sizes(rng: random.Random, size: Size) -> list[int]:
    """Posts per topic: the long thread first, then a geometric spread whose sum is exactly the rest."""
    others = size.topics - 1
    rest = size.posts - size.long_topic
    assert rest >= others, "every topic needs its opening post"
    extra = rest - others
    weights = [rng.expovariate(1) for _ in range(others)]
    total = sum(weights)
    sizes = [1 + int(extra * weight / total) for weight in weights]
    for index in rng.sample(range(others), rest - sum(sizes)):
        sizes[index] += 1
    return [size.long_topic, *sizes]


def seed(size: Size, *, progress=lambda n: None, seed_value: int = 2026) -> dict[str, int]:
    """Write the community into the app's (empty) database; returns the counts written. `progress` is told how
    many posts have been written, as they are."""
    from community.accounts import services as accounts
    from community.accounts.models import User
    from community.extensions import db
    from community.forums.models import Category, Post, Tag, Topic, topic_tags

    if db.session.scalar(select(func.count(User.id))):
        raise SystemExit("The bench database already has members: seed an empty one (drop it, or use another "
                         "DATABASE_URL).")
    rng = random.Random(seed_value)  # noqa: S311 (reproducible data, not secrets)
    words = Words(rng)
    password_hash = accounts._hasher().hash(PASSWORD)
    joined = spread(rng, size.members, START - timedelta(days=60), NOW - timedelta(days=1))
    roles = ["admin", "manager", "moderator", "moderator"] + ["member"] * (size.members - 4)
    members = [
        {"id": n, "username": f"member{n:05d}", "username_key": f"member{n:05d}",
         "email": f"member{n:05d}@bench.example",
         "email_verified_at": joined[n - 1], "password_hash": password_hash, "display_name": f"Member {n}",
         "bio": "", "bio_html": "", "time_zone": "UTC", "role": roles[n - 1], "created_at": joined[n - 1],
         "trust_level": rng.choice([0, 1, 1, 2, 2, 2, 3]) if roles[n - 1] == "member" else 4}
        for n in range(1, size.members + 1)
    ]
    db.session.execute(insert(User.__table__), members)

    categories = [
        {"id": n, "name": f"Category {n}", "slug": f"category-{n}", "description": words.sentence(),
         "kind": "questions" if n % 3 else "discussion", "position": n, "topic_count": 0,
         "min_role": "moderator" if n == size.categories else None}  # one private category, as real sites have
        for n in range(1, size.categories + 1)
    ]
    db.session.execute(insert(Category.__table__), categories)
    tags = [{"id": n, "name": word} for n, word in enumerate(DOMAIN[:30], start=1)]
    db.session.execute(insert(Tag.__table__), tags)

    sizes = thread_sizes(rng, size)
    opened = spread(rng, size.topics, START, NOW - timedelta(days=1))
    rng.shuffle(opened)
    post_id = 0
    topics, pending, accepted, topic_tag_rows = [], [], [], []
    posted = 0
    for topic_id, (count, created) in enumerate(zip(sizes, opened, strict=True), start=1):
        category = categories[(topic_id * 7) % size.categories]
        category["topic_count"] += 1
        authors = [rng.randint(1, size.members) for _ in range(count)]
        times = spread(rng, count - 1, created, min(NOW, created + timedelta(days=30)))
        title = words.title()
        posts = []
        for number, (author, at) in enumerate(zip(authors, [created, *times], strict=True), start=1):
            post_id += 1
            body, body_html = body_and_html(words, post_length(rng))
            posts.append({"id": post_id, "topic_id": topic_id, "number": number, "author_id": author,
                          "body": body, "body_html": body_html, "created_at": at, "revision": 1, "thanks_count": 0})
        topics.append({"id": topic_id, "category_id": category["id"], "author_id": authors[0], "title": title,
                       "slug": "-".join(title.lower().rstrip("?").split())[:80], "created_at": created,
                       "last_posted_at": posts[-1]["created_at"], "last_poster_id": authors[-1],
                       "reply_count": count - 1, "highest_post_number": count,
                       "view_count": rng.randint(count, count * 20)})
        if count > 1 and category["kind"] == "questions" and rng.random() < 0.45:
            answer = rng.choice(posts[1:])
            accepted.append({"topic": topic_id, "post": answer["id"],
                             "solved": min(NOW, answer["created_at"] + timedelta(hours=rng.randint(1, 48)))})
        topic_tag_rows.extend({"topic_id": topic_id, "tag_id": tag["id"]}
                              for tag in rng.sample(tags, rng.randint(0, 3)))
        pending.extend(posts)
        if len(pending) >= 5_000 or topic_id == size.topics:  # topics first: posts refer to them
            db.session.execute(insert(Topic.__table__), topics)
            db.session.execute(insert(Post.__table__), pending)
            posted += len(pending)
            progress(len(pending))
            topics, pending = [], []
    db.session.execute(update(Category.__table__).where(Category.__table__.c.id == bindparam("cid"))
                       .values(topic_count=bindparam("count")),
                       [{"cid": c["id"], "count": c["topic_count"]} for c in categories])
    db.session.execute(update(Topic.__table__).where(Topic.__table__.c.id == bindparam("topic"))
                       .values(accepted_post_id=bindparam("post"), solved_at=bindparam("solved")), accepted)
    db.session.execute(insert(topic_tags), topic_tag_rows)
    _restart_sequences(db.session, ["users", "categories", "tags", "topics", "posts"])
    db.session.commit()
    return {"members": size.members, "categories": size.categories, "topics": size.topics, "posts": posted,
            "solved": len(accepted)}


def _restart_sequences(session, tables: list[str]) -> None:
    """Rows were written with their ids: PostgreSQL's sequences must continue after them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
                             f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def use_bench_instance(size: str) -> None:
    """Point the app at the bench's own database and index, never at DATABASE_URL (a real community's): SQLite under
    bench/instance/, or BENCH_DATABASE_URL (an empty PostgreSQL database, say)."""
    (HERE / "instance").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{HERE / 'instance' / f'{size}.db'}"
    os.environ["SEARCH_INDEX_DIR"] = str(HERE / "instance" / f"{size}-search-index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    options = parser.parse_args()
    size = SIZES[options.size]
    use_bench_instance(options.size)
    from flask_migrate import upgrade

    from community import create_app
    from community.extensions import db

    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=str(HERE.parent / "migrations"))
        with click.progressbar(length=size.posts, label=f"Seeding {size.posts:,} posts", show_pos=True) as bar:
            counts = seed(size, progress=bar.update)
        db.session.remove()
    seconds = time.perf_counter() - started
    click.echo(", ".join(f"{value:,} {name}" for name, value in counts.items()) + f" in {seconds:.0f} s")


if __name__ == "__main__":
    main()
