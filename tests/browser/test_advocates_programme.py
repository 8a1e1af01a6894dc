"""The advocate programme from end to end in a real browser: a manager opens rising stars, reads the evidence and
invites a member; the member accepts and completes onboarding; the new advocate's badge shows on their author card
and on the spotlight page. axe-core finds no violation and the Nu checker no error on any page visited."""

from playwright.sync_api import expect
from sqlalchemy import select

from community.advocates.models import Programme, StageChange
from community.extensions import db
from tests.advocates.test_ledger import seasoned
from tests.advocates.test_rising import active, answers, thank
from tests.browser.visit import Visit, sign_in, sweep
from tests.checkers import nu_errors
from tests.factories import make_member

STAR = "Stella Longname-Doublebarrel"
INVITATION = "Your answers on single sign-on helped two teams go live this month: would you join our advocates?"
TASK = "Join the welcome squad for a week and greet every newcomer in Questions."


def test_a_rising_star_is_invited_onboarded_and_shown_as_an_advocate(new_page, live_server, app, smtp):
    maria = make_member("maria", display_name="María Torres", role="manager")
    kenji = make_member("kenji", display_name="Kenji Sato", role="moderator")
    star = make_member("stella", display_name=STAR)
    accepted = answers(star, [(seasoned("asker1"), 1), (seasoned("asker2"), 1)])
    for n in range(3):
        thank(accepted, seasoned(f"giver{n}"), 1)
    active(star, 5)
    topic = accepted[0].topic
    topic_url, post_number = f"/t/{topic.id}-{topic.slug}", accepted[0].number
    ids = {"maria": maria.id, "kenji": kenji.id, "star": star.id}

    m = new_page()  # the manager, at 1280 px
    manager = Visit(m)
    sign_in(m, live_server, "maria")
    m.goto(live_server + "/advocates/rising")
    card = m.locator("li.star", has=m.get_by_role("heading", name=STAR))
    expect(card).to_contain_text("2 accepted answers for 2 people, thanks from 3 members")
    expect(card).to_contain_text("active 5 days")
    manager.check("rising stars")
    card.get_by_label("Your personal message").first.fill(INVITATION)
    card.get_by_role("button", name="Invite to the programme").click()  # "…: {STAR}" to screen readers
    expect(m.get_by_text(f"Done: invite to the programme — {STAR}. It is in the log.")).to_be_visible()
    expect(m.get_by_role("heading", name=STAR)).to_have_count(0)  # invited: off the queue, into the log
    expect(m.get_by_text(f"María Torres — invite to the programme — {STAR}")).to_be_visible()
    manager.check("rising stars after the invitation")
    assert any(message["To"] == "stella@example.com" and "invitation" in message["Subject"].lower()
               and INVITATION in message.get_body(("plain",)).get_content() for message in smtp.wait_for(1))

    m.goto(live_server + "/advocates/programme/pipeline")
    invited = m.locator("section.pipeline-stage", has=m.get_by_role("heading", name="Invited"))
    expect(invited.get_by_role("link", name=STAR)).to_be_visible()
    manager.check("pipeline with the star invited")
    invited.get_by_role("link", name=STAR).click()
    expect(m.get_by_role("heading", name=f"{STAR} in the programme")).to_be_visible()
    expect(m.get_by_text(f"Invited: waiting for {STAR}'s answer.")).to_be_visible()
    expect(m.locator("blockquote")).to_have_text(INVITATION)
    manager.check("the star's programme page, invited")

    s = new_page()  # the star, in a browser of their own
    member = Visit(s)
    sign_in(s, live_server, "stella")
    s.goto(live_server + "/advocates/programme")
    expect(s.get_by_role("heading", name="You are invited")).to_be_visible()
    expect(s.locator("blockquote")).to_have_text(INVITATION)
    member.check("invitation")
    s.get_by_role("button", name="Yes, I'd like to join").click()
    expect(s.get_by_text("Welcome aboard: your onboarding checklist is below")).to_be_visible()
    expect(s.get_by_role("heading", name="Your onboarding")).to_be_visible()
    checklist = s.locator("ul.checklist").first
    expect(checklist).to_contain_text("Accept the code of conduct: to do")
    expect(checklist).to_contain_text("Meet a mentor: to do")
    expect(s.get_by_role("link", name="Open the advocates' lounge")).to_be_visible()
    member.check("onboarding checklist")

    m.reload()
    expect(m.get_by_text("Stage: Onboarding")).to_be_visible()
    manager.check("the star's programme page, onboarding")
    m.get_by_label("Mentor's username").fill("kenji")
    m.get_by_role("button", name="Name the mentor").click()
    expect(m.get_by_text(f"{STAR} and their mentor each have a mail.")).to_be_visible()
    expect(m.locator("ul.checklist").first).to_contain_text("Meet a mentor: done — Kenji Sato")
    manager.check("mentor named")
    m.get_by_label("The first task").fill(TASK)
    m.get_by_role("button", name="Offer the task").click()
    expect(m.get_by_text(f"{STAR} has the task by mail.")).to_be_visible()
    expect(m.get_by_text("Stage: Onboarding")).to_be_visible()  # the code of conduct is still the member's to accept
    manager.check("first task offered")

    s.reload()
    checklist = s.locator("ul.checklist").first
    expect(checklist).to_contain_text("Meet a mentor: done — Kenji Sato")
    expect(checklist).to_contain_text(TASK)
    member.check("onboarding checklist, mentor and task done")
    s.get_by_label("I have read the code of conduct and I accept it").check()
    s.get_by_role("button", name="Accept the code of conduct").click()
    expect(s.get_by_text("You are an advocate now: thank you.")).to_be_visible()
    expect(s.get_by_role("heading", name="You are an advocate")).to_be_visible()
    expect(s.get_by_text("mentored by Kenji Sato")).to_be_visible()
    member.check("you are an advocate")

    s.goto(live_server + topic_url)
    author = s.locator(f"#post-{post_number} .post-head")
    expect(author.get_by_role("link", name=STAR)).to_be_visible()
    expect(author.locator(".role-advocate")).to_have_text("Advocate")
    expect(author.locator(".badge-tag", has_text="Advocate")).to_have_count(1)
    member.check("topic with the advocate's answer")
    s.goto(live_server + "/advocates/spotlight")
    expect(s.locator(".celebration", has_text=STAR).filter(has_text="earned the Advocate badge")).to_have_count(1)
    member.check("spotlight")

    m.reload()
    expect(m.get_by_text("Stage: Advocate")).to_be_visible()
    history = m.locator("section", has=m.get_by_role("heading", name="History")).locator("li")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("New → Invited, by María Torres")
    expect(history.nth(1)).to_contain_text(f"Invited → Onboarding, by {STAR}")
    expect(history.nth(2)).to_contain_text(f"Onboarding → Advocate, by {STAR}")
    manager.check("the star's programme page, advocate")

    sweep(s, member, live_server, [topic_url, "/advocates/programme", "/advocates/spotlight"], widths=(390,),
          who="star")
    sweep(m, manager, live_server, ["/advocates/programme/pipeline", "/advocates/programme/m/stella"],
          widths=(390,), who="manager")

    db.session.rollback()  # see what the server committed
    row = db.session.get(Programme, ids["star"])
    assert (row.stage, row.mentor_id, row.first_task) == ("advocate", ids["kenji"], TASK)
    assert row.invitation == INVITATION and row.conduct_accepted_at is not None
    changes = db.session.scalars(select(StageChange).where(StageChange.user_id == ids["star"])
                                 .order_by(StageChange.id)).all()
    assert [(c.from_stage, c.to_stage, c.by_id) for c in changes] == [
        (None, "invited", ids["maria"]), ("invited", "onboarding", ids["star"]),
        ("onboarding", "advocate", ids["star"])]
    assert changes[0].why == INVITATION

    assert manager.violations == {} and member.violations == {}
    pages = {f"manager {name}": html for name, html in manager.pages.items()}
    pages.update({f"star {name}": html for name, html in member.pages.items()})
    assert nu_errors(pages) == []


def test_members_and_visitors_are_kept_out_of_the_managers_pages(client, login):
    make_member("lena")
    for path in ("/advocates/programme/pipeline", "/advocates/rising"):
        refused = client.get(path)
        assert refused.status_code == 302 and "/account/login" in refused.headers["Location"]
    login("lena")
    for path in ("/advocates/programme/pipeline", "/advocates/rising"):
        assert client.get(path).status_code == 403
