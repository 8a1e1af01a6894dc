"""Plain-word searches are ranked by `search.ranking`, which reads postings straight through instead of asking
whoosh's matcher tree (ten times faster on common words). Its answers must be whoosh's own: the same documents in
the same order, the same count and, without filters, the same scores, on an index of several segments with deleted
documents in them, for every filter, visibility and sort the search page offers."""

import itertools
import random

import pytest
from sqlalchemy import select
from whoosh import query

from bench import seed as bench_seed
from community.core import search
from community.core.search import finding, ranking
from community.extensions import db
from community.forums import moderation
from community.forums import services as forums
from community.forums.models import Category, Post, Topic
from tests.factories import make_member, make_reply

EVERYONE = search.VISIBILITIES  # an admin's view: every visibility, the advocates' lounge too
ANONYMOUS = (search.PUBLIC,)
SMALL = bench_seed.Size(members=30, categories=4, topics=60, posts=700, long_topic=80)


@pytest.fixture
def community(app, indexing):
    """A seeded community, reindexed (one segment per core), then changed through the portal: some posts deleted
    (their documents stay in the segments, marked deleted) and some replies added (new segments)."""
    bench_seed.seed(SMALL)
    search.reindex(app)
    moderator = make_member("ranking_moderator", role="moderator")
    posts = db.session.scalars(select(Post).where(Post.number > 1).order_by(Post.id)).all()
    for post in posts[::37]:
        moderation.delete_post(post, moderator, "Spam")
        db.session.commit()
    topics = db.session.scalars(select(Topic).order_by(Topic.id).limit(5)).all()
    for topic in topics:
        make_reply(topic, body="Data report export: the dashboard error came back after the sync, report attached.")
    return app


def both(app, words: str, filters: search.Filters | None = None, visible=EVERYONE, newest=False, want=21,
         shown_from=0):
    """(fast hits, fast total), (whoosh hits, whoosh total): hits as (key, score to 6 places), from `shown_from` on
    (what a later page shows)."""
    with search._searcher(app) as searcher:
        parsed = finding._parse(finding._parser(), words) if words else query.Every()
        sort = newest or not words
        fast = finding._fast(searcher, parsed, filters, visible, sort, want, shown_from)
        assert fast is not None, f"{words!r} should take the fast path"
        _, hits, total = fast
        narrowed = finding._narrowed(searcher, parsed, filters, visible)
        _, slow_hits = finding._ranked(searcher, narrowed, sort, want)
        slow_total = finding._count(searcher, narrowed, 10**6)
        return (([(hit["key"], round(hit.score or 0, 6)) for hit in hits[shown_from:]], total),
                ([(hit["key"], round(hit.score or 0, 6)) for hit in slow_hits[shown_from:]], slow_total))


def keys(hits):
    return [key for key, _ in hits]


def vocabulary(app) -> dict[str, list[str]]:
    """Body words of the index by how many documents hold them."""
    with search._searcher(app) as searcher:
        terms = [(text.decode(), info.doc_frequency()) for text, info in searcher.reader().iter_field("body")]
    ranked = sorted(terms, key=lambda term: -term[1])
    return {"common": [t for t, _ in ranked[:15]], "middling": [t for t, _ in ranked[40:80]],
            "rare": [t for t, n in ranked if 2 <= n <= 4][:40]}


def test_plain_words_rank_as_whoosh_ranks_them(community):
    words = vocabulary(community)
    rng = random.Random(7)
    queries = (words["common"] + rng.sample(words["middling"], 10) + rng.sample(words["rare"], 10)
               + [" ".join(rng.sample(words["common"], 2)) for _ in range(8)]
               + [f"{rng.choice(words['common'])} {rng.choice(words['middling'])}" for _ in range(8)]
               + [" ".join(rng.sample(words["middling"], 3)) for _ in range(4)])
    compared = 0
    queries += ["export OR import", f"{words['common'][2]} OR {words['rare'][0]}"]
    for words_ in queries:
        for want, shown_from in ((21, 0), (61, 0), (61, 40)):
            (fast, total), (slow, slow_total) = both(community, words_, want=want, shown_from=shown_from)
            assert total == slow_total, words_
            assert fast == slow, words_
            compared += len(fast)
    assert compared > 500  # the comparison covered real result lists, not empty ones


def test_filters_visibility_and_newest_first_find_what_whoosh_finds(community):
    words = vocabulary(community)
    private = db.session.scalar(select(Category).where(Category.min_role.is_not(None)))
    public = db.session.scalar(select(Category).where(Category.min_role.is_(None)).order_by(Category.id))
    author = db.session.scalar(select(Post.author_id).group_by(Post.author_id).order_by(Post.author_id))
    cases = [
        search.Filters(kinds=("topic",)),
        search.Filters(kinds=("post",)),
        search.Filters(solved=True),
        search.Filters(solved=False),
        search.Filters(category=str(public.id)),
        search.Filters(category=str(private.id)),
        search.Filters(author=str(author)),
        search.Filters(tags=(bench_seed.DOMAIN[0],)),
        search.Filters(kinds=("topic",), solved=True, tags=(bench_seed.DOMAIN[1],)),
        search.Filters(topic_ids=(1, 2, 3)),
    ]
    for filters in cases:
        for visible in (EVERYONE, ANONYMOUS):
            for words_ in ("", words["common"][0], f"{words['common'][1]} {words['middling'][0]}"):
                for newest in (False, True):
                    (fast, total), (slow, slow_total) = both(community, words_, filters, visible, newest)
                    assert total == slow_total, (filters, visible, words_, newest)
                    assert keys(fast) == keys(slow), (filters, visible, words_, newest)
    anonymous = both(community, words["common"][0], search.Filters(category=str(private.id)), ANONYMOUS)
    assert anonymous[0] == ([], 0)  # a private category's posts stay hidden from visitors


def test_a_cut_inside_equal_scores_keeps_them_in_key_order(community):
    """Documents of equal score are ordered by key whatever segment holds them, so page one doesn't depend on
    where the index put each document (it differs after a reindex)."""
    topic = db.session.scalar(select(Topic).order_by(Topic.id.desc()))
    author = make_member("equal_words")
    for _ in range(3):  # three commits: three new segments
        for _ in range(10):
            forums.post_reply(topic, author, "Qwertyuiop qwertyuiop.", limits=False)
        db.session.commit()
    for want in (5, 11, 31):
        (fast, total), (slow, _) = both(community, "qwertyuiop", want=want)
        assert total == 30 and len({score for _, score in fast}) == 1  # thirty equal scores
        assert fast == slow == sorted(slow)[:want]


def test_not_words_leave_out_what_whoosh_leaves_out(community):
    """`report NOT pdf`, as whoosh answers it."""
    words = vocabulary(community)
    for positive, negative in ((words["common"][0], words["common"][1]), (words["middling"][0], words["common"][2]),
                               (f"{words['common'][3]} {words['middling'][1]}", words["rare"][0])):
        with search._searcher(community) as searcher:
            parsed = finding._parse(finding._parser(), f"{positive} NOT {negative}")
            fast = finding._fast(searcher, parsed, None, ANONYMOUS, False, 41)
            assert fast is not None
            _, hits, total = fast
            narrowed = finding._narrowed(searcher, parsed, None, ANONYMOUS)
            _, slow_hits = finding._ranked(searcher, narrowed, False, 41)
            assert [hit["key"] for hit in hits] == [hit["key"] for hit in slow_hits]
            assert total == finding._count(searcher, narrowed, 10**6) > 0


def test_phrases_find_what_whoosh_finds(community):
    """Quoted words found at consecutive positions, ranked and counted as whoosh does, alone or with other words,
    filters and visibility; the same words in the other order find nothing more than whoosh finds."""
    bodies = db.session.scalars(select(Post.body).where(Post.deleted_at.is_(None)).order_by(Post.id).limit(60)).all()
    stop = set(bench_seed.STOP)
    pairs = []
    for body in bodies:
        words = [word.strip(".").lower() for word in body.split()]
        pairs += [(a, b) for a, b in itertools.pairwise(words) if a not in stop and b not in stop][:1]
    title = db.session.scalar(select(Topic.title).order_by(Topic.id))
    queries = [f'"{a} {b}"' for a, b in pairs[:12]] + [f'"{b} {a}"' for a, b in pairs[:4]]
    queries += [f'"{title.rstrip("?")}"', f'{pairs[0][0]} "{pairs[1][0]} {pairs[1][1]}"']
    for number, words_ in enumerate(queries):
        for visible, filters in ((EVERYONE, None), (ANONYMOUS, None), (ANONYMOUS, search.Filters(kinds=("post",)))):
            (fast, total), (slow, slow_total) = both(community, words_, filters, visible, want=41)
            assert total == slow_total and keys(fast) == keys(slow), (words_, visible, filters)
            if filters is None:  # (whoosh adds each filter term's weight to every score alike)
                assert fast == slow
            if visible == EVERYONE and number < 12:
                assert total >= 1, words_  # each phrase taken from a post finds at least that post


def test_phrases_and_operators_are_left_to_whoosh():
    parser = finding._parser()
    for words in ("(sso token) OR saml", "report NOT (pdf csv)", 'report NOT "read only"', '"read only"~3'):
        assert ranking.plan_of(parser.parse(words)) is None, words
    assert ranking.plan_of(parser.parse('"read only"')) == ([[ranking.PhraseOf("title", ("read", "onli")),
                                                               ranking.PhraseOf("body", ("read", "onli"))]], [])
    assert ranking.plan_of(parser.parse("report NOT pdf")) == ([[("title", "report"), ("body", "report")]],
                                                                [("title", "pdf"), ("body", "pdf")])
    assert ranking.groups_of(parser.parse("report export")) == [[("title", "report"), ("body", "report")],
                                                                [("title", "export"), ("body", "export")]]
    assert ranking.groups_of(parser.parse("export OR import")) == [[("title", "export"), ("body", "export"),
                                                                    ("title", "import"), ("body", "import")]]



