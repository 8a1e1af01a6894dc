"""The programme's pages at a phone's and a desktop's width, with a rising star on the managers' queue: axe-core
finds nothing, the Nu checker finds no error, and nothing scrolls sideways."""

from community.extensions import db
from community.forums import services as forums
from tests.advocates.test_ledger import seasoned
from tests.advocates.test_rising import active, answers, thank
from tests.browser.visit import Visit, sign_in, sweep
from tests.checkers import nu_errors
from tests.factories import make_member


def test_programme_pages_pass_axe_and_nu_at_390_and_1280(new_page, live_server, app):
    make_member("maria", display_name="María Torres", role="manager")
    star = make_member("star", display_name="Stella Longname-Doublebarrel")
    accepted = answers(star, [(seasoned("asker1"), 1), (seasoned("asker2"), 1)])
    for n in range(3):
        thank(accepted, seasoned(f"giver{n}x"), 1)
    forums.unaccept_answer(accepted[0].topic, accepted[0].topic.author)  # a reversal in the ledger
    forums.accept_answer(accepted[0].topic, accepted[0], accepted[0].topic.author)
    db.session.commit()
    active(star, 5)
    urls = ["/advocates/", "/advocates/how-it-works", "/advocates/u/star", "/advocates/leaderboard?period=all",
            "/advocates/rising", "/advocates/award?username=star", "/advocates/badges",
            "/advocates/badges/first-answer", "/advocates/badges/grant", "/advocates/spotlight",
            "/advocates/milestones/new", "/"]
    page = new_page()
    visit = Visit(page)
    sign_in(page, live_server, "maria")
    sweep(page, visit, live_server, urls)
    assert "Stella Longname-Doublebarrel" in visit.pages["/advocates/rising at 1280px"]
    assert visit.violations == {}
    assert nu_errors(visit.pages) == []
