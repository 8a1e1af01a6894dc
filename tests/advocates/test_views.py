"""The programme's pages: how recognition works (from the rules table), a member's ledger, managers' awards."""

import html as htmlmod

from community.advocates import ledger, rules
from community.extensions import db
from community.forums import services as forums
from tests.advocates.test_ledger import seasoned
from tests.checkers import nu_errors
from tests.factories import make_member, make_reply, make_topic


def text(response):
    return htmlmod.unescape(response.get_data(as_text=True))


def test_how_recognition_works_is_written_from_the_rules_table(client, monkeypatch):
    page = text(client.get("/advocates/how-it-works"))
    for rule in rules.RULES:
        assert rule.what in page and rule.terms in page
    assert "<strong>Expert</strong>: 600 points, and 10 accepted answers from 5 different people" in page
    monkeypatch.setattr(rules, "RULES", (rules.Rule("spoke", 25, "You spoke at an event", "Confirmed."),))
    assert "<td>25</td>" in client.get("/advocates/how-it-works").get_data(as_text=True)


def test_a_member_sees_why_they_have_their_points_with_a_link_per_line(client, login):
    asker, helper = seasoned("asker"), make_member("helper")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    forums.accept_answer(topic, answer, asker)
    db.session.commit()
    login("helper")
    page = text(client.get("/advocates/u/helper"))
    assert "Why do I have 15 points?" in page and "Rank: <strong>Newcomer</strong>" in page
    assert f'href="/p/{answer.id}"' in page and "Your reply is accepted as the solution" in page
    assert "Next: Helper, 35 points to go" in page
    forums.unaccept_answer(topic, asker)
    db.session.commit()
    page = text(client.get("/advocates/u/helper"))
    assert "Taken back:" in page and "the answer was un-accepted" in page and "Why do I have 0 points?" in page
    other = text(client.get("/advocates/u/asker"))
    assert "asker: 0 points" in other


def test_the_ledger_page_issues_the_same_queries_for_5_or_50_lines(client, count_queries):
    helper = make_member("helper")
    topic = make_topic(seasoned("asker"))

    def grow(n):
        for number in range(n):
            reply = make_reply(topic, helper, body=f"Answer number {number} with enough words.")
            forums.thank(reply, make_member(mail="none"))
        db.session.commit()

    def count():
        with count_queries() as counter:
            assert client.get("/advocates/u/helper").status_code == 200
        return counter.count

    grow(5)
    few = count()
    grow(45)
    assert count() == few and few <= 6


def test_only_managers_award_points_and_a_refused_award_keeps_the_form(client, login):
    make_member("maria", role="manager")
    make_member("lena")
    login("lena")
    assert client.get("/advocates/award").status_code == 403
    login("maria")
    refused = client.submit("/advocates/award", {"username": "lena", "points": "80", "reason": "Spoke at a fair"})
    assert refused.status_code == 400 and "From 1 to 50 points." in text(refused) and "Spoke at a fair" in text(refused)
    done = client.submit("/advocates/award", {"username": "lena", "points": "20",
                                              "reason": "Spoke at our partner conference"}, follow_redirects=True)
    assert "lena has 20 more points" in text(done) and "Spoke at our partner conference" in text(done)


def test_programme_pages_are_valid_html_with_one_h1(client, login):
    asker, helper = seasoned("asker"), make_member("helper")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    forums.accept_answer(topic, answer, asker)
    forums.thank(answer, make_member("newbie"))
    db.session.commit()
    pages = {"index": client.get("/advocates/").get_data(as_text=True),
             "how": client.get("/advocates/how-it-works").get_data(as_text=True),
             "ledger": client.get("/advocates/u/helper").get_data(as_text=True),
             "empty ledger": client.get("/advocates/u/newbie").get_data(as_text=True),
             "leaderboard": client.get("/advocates/leaderboard").get_data(as_text=True),
             "leaderboard, all time": client.get("/advocates/leaderboard?period=all").get_data(as_text=True)}
    manager = make_member("maria", role="manager")
    ledger.award_manually(helper, 5, "Wrote the onboarding guide for the wiki", manager)
    db.session.commit()
    login("maria")
    pages["staff ledger"] = client.get("/advocates/u/maria").get_data(as_text=True)
    pages["award"] = client.get("/advocates/award").get_data(as_text=True)
    pages["award refused"] = client.submit("/advocates/award", {"username": "", "points": "0"}).get_data(as_text=True)
    pages["ledger with award"] = client.get("/advocates/u/helper").get_data(as_text=True)
    pages["rising stars"] = client.get("/advocates/rising").get_data(as_text=True)
    pages["rising refused"] = client.submit("/advocates/rising/helper/invite", {"message": "x"},
                                            page="/advocates/rising").get_data(as_text=True)
    login("helper")
    pages["leaderboard, member"] = client.get("/advocates/leaderboard?period=all").get_data(as_text=True)
    for name, page in pages.items():
        assert page.count("<h1") == 1, name
    errors = nu_errors(pages)
    assert errors == [], "\n".join(errors)


def test_author_cards_in_a_topic_show_rank_level_and_badges(client):
    asker, helper = seasoned("asker"), make_member("helper")
    topic = make_topic(asker)
    answer = make_reply(topic, helper)
    forums.accept_answer(topic, answer, asker)
    db.session.commit()
    page = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert 'href="/advocates/u/helper">Newcomer · Participating</a>' in page
    assert '<span class="tag badge-tag">First accepted answer</span>' in page
