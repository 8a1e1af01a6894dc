"""The search page: words and filters (typed or chosen), snippets, pages, "did you mean", clear messages, and never
a result the reader may not see."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from community.core.models import SearchOutbox
from community.extensions import db
from community.forums import moderation, services
from community.forums.models import Post
from tests.factories import make_category, make_member, make_reply, make_topic

PAYLOADS = (Path(__file__).parent.parent / "data" / "xss-payloads.txt").read_text().splitlines()


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]*">([^<]*)</a></h3>', response.get_data(as_text=True))


def count_line(response) -> str:
    match = re.search(r'<h2 class="search-count"[^>]*>([^<]*)</h2>', response.get_data(as_text=True))
    return match.group(1) if match else ""


@pytest.fixture
def forum(indexing):
    ana, ben = make_member("ana", display_name="Ana Lopez"), make_member("ben")
    billing, setup = make_category("billing", name="Billing"), make_category("setup", name="Setup")
    invoice = make_topic(ana, billing, "Invoice shows the wrong VAT number", "The invoice for October lists our "
                         "old VAT number although we changed it in settings.", tags=("invoices",))
    answer = make_reply(invoice, ben, "Regenerate the invoice from the billing page: it picks up the new VAT number.")
    services.accept_answer(invoice, answer, ana)
    db.session.commit()
    warehouse = make_topic(ben, setup, "Connecting the warehouse times out", "The warehouse connection times out "
                           "after thirty seconds every morning.", tags=("connectors",))
    return {"ana": ana, "ben": ben, "billing": billing, "setup": setup, "invoice": invoice, "answer": answer,
            "warehouse": warehouse}


def test_words_find_topics_and_replies_with_the_words_marked(client, forum):
    response = client.get("/search?q=VAT+number")
    assert response.status_code == 200
    assert titles(response) == ["Invoice shows the wrong VAT number"] * 2
    page = response.get_data(as_text=True)
    assert "2 results for “VAT number”" in page
    assert "<mark>VAT</mark>" in page and "Reply #2" in page and "✓ Solved" in page
    assert f'href="/p/{forum["answer"].id}"' in page  # the reply links to itself


def test_stemming_finds_other_forms_of_a_word(client, forum):
    assert "Connecting the warehouse times out" in titles(client.get("/search?q=connect"))


@pytest.mark.parametrize("typed, expected", [
    ("tag:invoices", ["Invoice shows the wrong VAT number"] * 2),  # the topic and its reply
    ("in:setup", ["Connecting the warehouse times out"]),
    ("@ben kind:topics", ["Connecting the warehouse times out"]),
    ("author:ana", ["Invoice shows the wrong VAT number"]),
    ("is:solved kind:topics", ["Invoice shows the wrong VAT number"]),
    ("is:unsolved", ["Connecting the warehouse times out"]),
    ("kind:members lopez", ["Ana Lopez"]),
    ("invoice in:setup", []),
])
def test_filters_typed_in_the_box(client, forum, typed, expected):
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == 200
    assert titles(response) == expected


def test_the_form_controls_filter_like_the_typed_filters_and_win_over_them(client, forum):
    typed = client.get("/search", query_string={"q": "is:solved tag:invoices"})
    chosen = client.get("/search", query_string={"status": "solved", "tag": "invoices"})
    assert titles(typed) == titles(chosen) == ["Invoice shows the wrong VAT number"] * 2
    overridden = client.get("/search", query_string={"q": "in:billing times", "category": "setup"})
    assert titles(overridden) == ["Connecting the warehouse times out"]
    assert '<option selected value="setup">Setup</option>' in overridden.get_data(as_text=True)


def test_newest_first_orders_by_date(client, indexing):
    author = make_member()
    for n in range(3):
        make_topic(author, title=f"Alerting question number {n} about thresholds")
    relevance = titles(client.get("/search?q=alerting"))
    newest = titles(client.get("/search?q=alerting&order=newest"))
    assert newest == [f"Alerting question number {n} about thresholds" for n in (2, 1, 0)]
    assert sorted(relevance) == sorted(newest)


def test_results_come_in_pages(client, app, indexing):
    app.config["SEARCH_RESULTS_PER_PAGE"] = 4
    author = make_member()
    for n in range(10):
        make_topic(author, title=f"Dashboard tiles question {n:02d} here")
    first = client.get("/search?q=tiles&order=newest")
    assert len(titles(first)) == 4 and count_line(first).startswith("10 results")
    assert "Page 1 of 3" in first.get_data(as_text=True)
    assert 'rel="next" href="/search?page=2&amp;q=tiles&amp;order=newest"' in first.get_data(as_text=True)
    last = client.get("/search?q=tiles&order=newest&page=3")
    assert titles(last) == ["Dashboard tiles question 01 here", "Dashboard tiles question 00 here"]
    assert 'rel="prev"' in last.get_data(as_text=True) and 'rel="next"' not in last.get_data(as_text=True)


def test_a_misspelling_offers_the_words_the_index_knows(client, forum):
    response = client.get("/search?q=warehuose")
    assert count_line(response).startswith("0 results")
    assert 'Did you mean <a href="/search?q=warehouse">warehouse</a>?' in response.get_data(as_text=True)
    assert titles(client.get("/search?q=warehouse"))


@pytest.mark.parametrize("query, status, words", [
    ({}, 200, "Type a few words from your question"),
    ({"q": "   "}, 200, "Type a few words from your question"),
    ({"q": "x" * 201}, 400, "That search is too long: use up to 200 characters."),
    ({"q": "is:maybe"}, 400, "“is:maybe” is not a filter this search knows."),
    ({"q": "tag:"}, 400, "“tag:” needs a value after the colon."),
    ({"q": "vat", "kind": "cats"}, 400, "Show: Not a valid choice."),
    ({"q": "vat", "page": "0"}, 400, "Page: Number must be between 1 and 500."),
    ({"q": "vat", "page": "two"}, 400, "Page: Not a valid integer value."),
    ({"q": "in:nowhere vat"}, 200, "No category is called “nowhere”."),
    ({"q": "@nobody vat"}, 200, "No member is called @nobody."),
    ({"q": "the of and"}, 200, "Those words are too common to search for."),
    ({"q": '"unclosed ((('}, 200, "0 results"),
])
def test_bad_or_empty_searches_get_a_clear_message(client, forum, query, status, words):
    response = client.get("/search", query_string=query)
    assert response.status_code == status
    assert words in response.get_data(as_text=True).replace("&#34;", '"')


def test_a_failed_search_keeps_what_was_typed(client, forum):
    response = client.get("/search", query_string={"q": "invoice is:maybe", "tag": "billing"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="invoice is:maybe"' in page and 'value="billing"' in page


def test_private_categories_stay_private(client, login, indexing):
    staff = make_category("staff-room", name="Staff room", min_role="moderator")
    make_topic(make_member(), staff, "Moderator rota for the holiday weeks")
    member, moderator = make_member(), make_member(role="moderator")
    assert titles(client.get("/search?q=rota")) == []
    login(member)
    assert titles(client.get("/search?q=rota")) == []
    assert client.get("/search?q=rota+in:staff-room").get_data(as_text=True).count("No category is called") == 1
    login(moderator)
    assert titles(client.get("/search?q=rota")) == ["Moderator rota for the holiday weeks"]


def test_deleted_and_hidden_posts_never_show_even_before_the_index_catches_up(client, app, forum):
    app.config["SEARCH_APPLY_AFTER_COMMIT"] = False  # the index is now behind the database
    moderator = make_member(role="moderator")
    moderation.delete_post(forum["answer"], moderator, "Spam")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) >= 1  # waiting for the index
    assert titles(client.get("/search?q=regenerate")) == []
    moderation.set_unlisted(forum["warehouse"], moderator, True, "Duplicate")
    db.session.commit()
    assert titles(client.get("/search?q=warehouse")) == []


def test_did_you_mean_never_offers_a_word_only_hidden_posts_hold(client, login, indexing):
    staff = make_category("staff-room", name="Staff room", min_role="moderator")
    make_topic(make_member(), staff, "Zyxcorporation acquisition planning notes")
    deleted = make_topic(make_member(), title="My password is hunter2xyzzy, please help")
    moderation.delete_post(_opening(deleted), make_member(role="moderator"), "Private data")
    db.session.commit()
    for typo in ("zyxcorporatio", "hunter2xyzzz"):
        assert "Did you mean" not in client.get(f"/search?q={typo}").get_data(as_text=True), typo
    login(make_member(role="moderator"))
    assert "Did you mean" in client.get("/search?q=zyxcorporatio").get_data(as_text=True)  # they may see it


def _opening(topic):
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def test_stop_words_with_a_filter_search_by_the_filter(client, forum):
    assert titles(client.get("/search", query_string={"q": "the tag:connectors"})) == [
        "Connecting the warehouse times out"]


def test_links_keep_only_the_searchs_own_arguments(client, forum):
    response = client.get("/search", query_string={"q": "warehuose", "endpoint": "x", "_anchor": "y", "utm": "z"})
    assert response.status_code == 200
    assert 'Did you mean <a href="/search?q=warehouse">warehouse</a>?' in response.get_data(as_text=True)


def test_user_text_in_results_is_escaped(client, indexing):
    author = make_member()
    topic = make_topic(author, title="Payload collection for the escaping check")
    for payload in PAYLOADS:
        make_reply(topic, author, f"escapecheck {payload} trailing words for length")
    page = client.get("/search?q=escapecheck").get_data(as_text=True)
    snippets = re.findall(r'<p class="search-snippet">(.*?)</p>', page, re.S)
    assert len(snippets) == 20  # the first page; each payload shows as text, with no tag but <mark>
    assert {tag.lower() for snippet in snippets for tag in re.findall(r"<\s*/?\s*([a-zA-Z]+)", snippet)} == {"mark"}
    assert "escapecheck &lt;script&gt;alert(1)&lt;/script&gt;" in page.replace("<mark>", "").replace("</mark>", "")
    hostile = client.get("/search", query_string={"q": '<script>alert(1)</script> "><img src=x onerror=alert(2)>'})
    assert "<script>alert(1)" not in hostile.get_data(as_text=True)
    assert "<img src=x" not in hostile.get_data(as_text=True)


def test_the_page_issues_the_same_queries_for_2_or_20_results(client, login, count_queries, indexing):
    reader = make_member()
    login(reader)
    author = make_member()

    def grow(n):
        for _ in range(n):
            title = f"Queue backlog keeps growing overnight ({make_member().username})"
            topic = make_topic(author, tags=("queues",), title=title)
            make_reply(topic, make_member(), "Queue workers need more memory, then the backlog shrinks.")

    grow(1)
    with count_queries() as few:
        assert len(titles(client.get("/search?q=queue"))) == 2
    grow(9)
    with count_queries() as many:
        assert len(titles(client.get("/search?q=queue"))) == 20
    assert few.count == many.count <= 8


WORDS = st.lists(st.sampled_from([*'ab xy:"()@*?[]^~-+!{}/\\\'#%&<=>é日\x00', "tag:", "is:", "in:", "@", " AND ",
                                  " OR ", " NOT ", " TO ", " ANDNOT ", " ANDMAYBE ", "warehuose", "vat"]),
                 max_size=30).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=WORDS, page=st.one_of(st.none(), st.integers(-3, 600).map(str), st.text(max_size=4)),
       extra=st.dictionaries(st.sampled_from(["endpoint", "_anchor", "_external", "_scheme", "_method", "kind",
                                              "category", "tag", "author", "status", "order", "x"]),
                             st.text(max_size=8), max_size=3))
def test_no_query_string_causes_a_server_error(client, forum, q, page, extra):
    query = {**extra, "q": q} if page is None else {**extra, "q": q, "page": page}
    response = client.get("/search", query_string=query)
    assert response.status_code in (200, 400), query
