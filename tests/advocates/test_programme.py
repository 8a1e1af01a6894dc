"""The programme's pipeline: nominations, applications, invitations, onboarding, privileges, renewal and alumni —
each stage change logged with who and why, and the managers' pages closed to everyone else."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.advocates import badges, ledger, levels, programme, recruiting, rising
from community.advocates.models import Programme, StageChange
from community.core.timeutil import utcnow
from community.extensions import db
from community.forums.models import Topic
from tests.advocates.test_ledger import seasoned
from tests.advocates.test_rising import a_star, answers, thank
from tests.factories import make_category, make_member, make_reply, make_topic


def history(member):
    return [(change.from_stage, change.to_stage, change.by.username if change.by else None)
            for change in db.session.scalars(select(StageChange).where(StageChange.user_id == member.id)
                                             .order_by(StageChange.id))]


def an_advocate(username="ada_adv", manager=None, mentor=None):
    """A member taken through the whole pipeline by services (invited, yes, conduct, mentor, first task)."""
    member = make_member(username)
    manager = manager or make_member(f"{username}_mgr", role="manager")
    mentor = mentor or make_member(f"{username}_mentor", role="moderator")
    programme.invite(member, manager, "Your answers helped many people: would you lead with us?")
    programme.answer(member, True)
    programme.accept_conduct(member)
    programme.assign_mentor(member, mentor, manager)
    programme.offer_first_task(member, manager, "Co-host the next online meetup with the team.")
    db.session.commit()
    return member


def eligible(username):
    """A member who meets the published criteria: 100 days a member, 3 accepted answers for 3 people."""
    member = make_member(username)
    member.created_at = utcnow() - timedelta(days=100)
    answers(member, [(seasoned(f"{username}-a{n}"), 1) for n in range(3)])
    return member


# Entry ------------------------------------------------------------------------------------------------------------

def test_two_independent_nominations_surface_a_candidate_and_one_does_not(client, login):
    nominee = make_member("nadia")
    first, second = seasoned("first_fan"), seasoned("second_fan")
    login(first)
    page = client.get("/advocates/u/nadia").get_data(as_text=True)
    assert "/advocates/u/nadia/nominate" in page
    short = client.submit("/advocates/u/nadia/nominate", {"reason": "great"})
    assert short.status_code == 400 and "In 10 to 2,000 characters." in short.get_data(as_text=True)
    assert "great" in short.get_data(as_text=True)  # what was typed stays
    done = client.submit("/advocates/u/nadia/nominate", {"reason": "She answered my SSO question in an hour."},
                         follow_redirects=True)
    assert "your nomination of" in done.get_data(as_text=True)
    assert programme.stage_of(nominee) is None  # one nomination is not enough
    again = client.submit("/advocates/u/nadia/nominate", {"reason": "Once more, because she is great."})
    assert again.status_code == 409 and "You nominated" in again.get_data(as_text=True)
    login(second)
    client.submit("/advocates/u/nadia/nominate", {"reason": "Welcomed three newcomers this week, kindly."})
    db.session.expire_all()
    assert programme.stage_of(nominee) == "nominated"
    why = db.session.scalar(select(StageChange.why).where(StageChange.user_id == nominee.id))
    assert "@first_fan" in why and "@second_fan" in why


def test_nominations_from_a_thanks_ring_do_not_count(app):
    nominee = make_member("ringo")
    friends = [seasoned("pal1"), seasoned("pal2")]
    topic = make_topic(seasoned("ring-op"))
    posts = {person.id: [make_reply(topic, person) for _ in range(5)] for person in [nominee, *friends]}
    db.session.commit()
    for giver in [nominee, *friends]:
        for receiver in [nominee, *friends]:
            if giver is not receiver:
                thank(posts[receiver.id], giver, 5)
    for friend in friends:
        programme.nominate(nominee, friend, "My friend is the best helper here, truly.")
    db.session.commit()
    assert programme.independent_nominators(nominee) == []
    assert programme.stage_of(nominee) is None


def test_nobody_nominates_themselves_or_staff(app):
    member, manager = make_member("selfie"), make_member("boss", role="manager")
    with pytest.raises(Exception, match="can't nominate yourself"):
        programme.nominate(member, member, "I am a very helpful person indeed.")
    with pytest.raises(Exception, match="Staff are outside the programme"):
        programme.nominate(manager, member, "The manager is a very helpful person.")


def test_applying_needs_the_published_criteria_and_keeps_the_statement(client, login):
    make_member("newbie")
    login("newbie")
    page = client.get("/advocates/programme").get_data(as_text=True)
    assert "A member for 90 days or more" in page and "you joined 0 days ago" in page
    refused = client.submit("/advocates/programme/apply", {"statement": "I love helping people with exports."},
                            page="/advocates/programme")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Not yet: a member for 90 days or more" in html
    assert "I love helping people with exports." in html  # what was typed stays
    applicant = eligible("keen")
    login("keen")
    done = client.submit("/advocates/programme/apply", {"statement": "I love helping people with exports."},
                         page="/advocates/programme", follow_redirects=True)
    assert "Your application is with the community team" in done.get_data(as_text=True)
    db.session.expire_all()
    assert programme.stage_of(applicant) == "applied"
    assert history(applicant) == [(None, "applied", "keen")]


# Invitation and onboarding ----------------------------------------------------------------------------------------

def test_from_the_rising_stars_to_advocate_every_step_logged(client, login, smtp):
    star = a_star("stella")
    make_member("maria", role="manager")
    make_member("kenji", role="moderator")
    login("maria")
    client.submit("/advocates/rising/stella/invite", {"message": "Your SSO answers helped four teams: join us?"},
                  page="/advocates/rising")
    db.session.expire_all()
    assert programme.stage_of(star) == "invited"
    invitation = smtp.wait_for(1, timeout=15)[-1]
    assert invitation["To"] == "stella@example.com" and "/advocates/programme" in \
        invitation.get_body(("plain",)).get_content()
    assert "stella" not in [s.member.username for s in rising.stars()[0]]

    login("stella")
    page = client.get("/advocates/programme").get_data(as_text=True)
    assert "You are invited" in page and "Your SSO answers helped four teams" in page
    client.submit("/advocates/programme/answer", {"accept": "yes", "note": ""}, page="/advocates/programme")
    db.session.expire_all()
    assert programme.stage_of(star) == "onboarding" and star.audiences == "advocates"
    lounge = programme.lounge_if_any()
    assert client.get(f"/forums/c/{lounge.slug}").status_code == 200  # the private category opened

    login("maria")
    wrong = client.submit("/advocates/programme/m/stella/mentor", {"mentor-mentor": "lena_nobody"},
                          page="/advocates/programme/m/stella")
    assert wrong.status_code == 400 and "No member has that username." in wrong.get_data(as_text=True)
    assert "lena_nobody" in wrong.get_data(as_text=True)
    client.submit("/advocates/programme/m/stella/mentor", {"mentor-mentor": "kenji"},
                  page="/advocates/programme/m/stella")
    client.submit("/advocates/programme/m/stella/task", {"task-task": "Co-host the Lisbon meetup in March."},
                  page="/advocates/programme/m/stella")
    db.session.expire_all()
    assert programme.stage_of(star) == "onboarding"  # the code of conduct is still to accept

    login("stella")
    refused = client.submit("/advocates/programme/conduct", {}, page="/advocates/programme")
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    done = client.submit("/advocates/programme/conduct", {"agree": "yes"}, page="/advocates/programme",
                         follow_redirects=True)
    assert "You are an advocate now" in done.get_data(as_text=True)
    db.session.expire_all()
    assert programme.stage_of(star) == "advocate"
    assert history(star) == [(None, "invited", "maria"), ("invited", "onboarding", "stella"),
                             ("onboarding", "advocate", "stella")]
    assert "advocate" in {grant.badge for grant in badges.held(star)}
    level = levels.current(star)
    assert (level.level, level.because) == (1, "because you are in the advocate programme")
    sent = smtp.wait_for(5, timeout=15)
    subjects = [message["Subject"] for message in sent]
    assert any("Meet your mentor" in s for s in subjects) and any("first task" in s for s in subjects)
    assert any(m["To"] == "kenji@example.com" and "Would you mentor" in m["Subject"] for m in sent)
    assert any("Welcome to the" in s for s in subjects)


def test_the_lounge_is_closed_to_members_outside_the_programme(client, login):
    advocate = an_advocate()
    lounge = programme.lounge_if_any()
    topic = make_topic(advocate, category=lounge, title="Plans for the spring meetups in the lounge")
    db.session.commit()
    make_member("outsider")
    login("outsider")
    assert client.get(f"/forums/c/{lounge.slug}").status_code in (403, 404)
    assert client.get(f"/t/{topic.id}", follow_redirects=True).status_code in (403, 404)
    assert "Advocates' lounge" not in client.get("/").get_data(as_text=True)
    login(advocate)
    assert "Plans for the spring meetups" in client.get(f"/t/{topic.id}", follow_redirects=True).get_data(as_text=True)


def test_a_mentor_is_an_advocate_or_staff(app):
    member = make_member("mentee")
    manager = make_member("boss", role="manager")
    programme.invite(member, manager, "Would you join the advocates with us?")
    programme.answer(member, True)
    with pytest.raises(Exception, match="is not an advocate or a member of the team"):
        programme.assign_mentor(member, make_member("plain"), manager)
    with pytest.raises(Exception, match="someone else"):
        programme.assign_mentor(member, member, manager)
    programme.assign_mentor(member, an_advocate("mentor_adv", manager=manager), manager)
    assert programme.record(member).mentor.username == "mentor_adv"


def test_declining_is_logged_and_the_door_stays_open(client, login):
    member = make_member("shy")
    programme.invite(member, make_member("boss", role="manager"), "Would you join the advocates with us?")
    db.session.commit()
    login("shy")
    done = client.submit("/advocates/programme/answer", {"accept": "no", "note": "Too busy this year."},
                         page="/advocates/programme", follow_redirects=True)
    assert "The door stays open" in done.get_data(as_text=True)
    db.session.expire_all()
    assert programme.stage_of(member) == "declined" and member.audiences == ""
    assert history(member)[-1] == ("invited", "declined", "shy")
    assert db.session.scalar(select(StageChange.why).order_by(StageChange.id.desc())) == "Too busy this year."


# Privileges -------------------------------------------------------------------------------------------------------

def test_advocates_move_public_topics_and_merge_duplicates_but_not_into_private_places(client, login):
    advocate = an_advocate()
    questions, other = make_category("questions"), make_category("howto", kind="discussion", name="How-to")
    staff_only = make_category("staff-room", kind="discussion", name="Staff room", min_role="moderator")
    topic = make_topic(make_member("asker"), category=questions, title="Where do I find the export settings?")
    original = make_topic(make_member("asker2"), category=questions, title="Export settings: where are they?")
    db.session.commit()
    login("asker")
    assert client.get(f"/t/{topic.id}/move").status_code == 403
    login(advocate)
    page = client.get(f"/t/{topic.id}", follow_redirects=True).get_data(as_text=True)
    assert "Move to another category" in page and "Merge as a duplicate" in page
    form = client.get(f"/t/{topic.id}/move").get_data(as_text=True)
    assert "How-to" in form and "Staff room" not in form and "Advocates' lounge" not in form
    refused = client.submit(f"/t/{topic.id}/move", {"category": staff_only.slug}, page=f"/t/{topic.id}/move")
    assert refused.status_code == 400
    client.submit(f"/t/{topic.id}/move", {"category": other.slug, "reason": "A how-to"}, page=f"/t/{topic.id}/move")
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).category_id == other.id
    client.submit(f"/t/{topic.id}/merge", {"target": str(original.id)}, page=f"/t/{topic.id}/merge")
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).merged_into_id == original.id
    assert client.get(f"/t/{original.id}/split").status_code == 403  # splitting stays with moderators


def test_advocates_have_co_host_rights_and_their_thanks_weigh_more(client, login):
    advocate = an_advocate()
    member = make_member("plain")
    login(member)
    assert client.get("/events/new").status_code == 403
    login(advocate)
    assert client.get("/events/new").status_code == 200
    advocate.created_at = member.created_at = utcnow() - timedelta(days=60)
    for n in range(3):
        make_reply(make_topic(seasoned(f"op{n}")), advocate)
        make_reply(make_topic(seasoned(f"op{n}b")), member)
    db.session.commit()
    assert ledger.weight(advocate) == (1.5, "trusted")
    assert ledger.weight(member) == (1.0, "member")


# Renewal and alumni -----------------------------------------------------------------------------------------------

def test_the_yearly_review_is_prefilled_from_the_ledger_and_alumni_are_never_deleted(client, login):
    manager = make_member("maria", role="manager")
    active_one, quiet_one = an_advocate("busy_adv", manager=manager), an_advocate("quiet_adv", manager=manager)
    answers(active_one, [(seasoned("busy-asker"), 1)])
    for member in (active_one, quiet_one):
        programme.record(member).advocate_since = utcnow() - timedelta(days=370)
    db.session.commit()
    login("maria")
    page = client.get("/advocates/programme/renewals").get_data(as_text=True)
    assert "busy_adv" in page and "quiet_adv" in page
    assert "In the year: 15 points, 1 accepted answer" in page
    assert "no activity in the ledger" in page
    suggestions = {item.member.username: programme.suggestion(item)[0] for item in programme.renewals()}
    assert suggestions == {"busy_adv": "renew", "quiet_adv": "alumni"}
    client.submit("/advocates/programme/m/quiet_adv/alumni", {"alumni-why": "No activity in the year: thank you!",
                                                              "next": "/advocates/programme/renewals"},
                  page="/advocates/programme/renewals")
    client.submit("/advocates/programme/m/busy_adv/renew", {"renew-why": "Active all year, renewed with thanks."},
                  page="/advocates/programme/renewals")
    db.session.expire_all()
    assert programme.stage_of(quiet_one) == "alumni" and quiet_one.audiences == ""
    assert "advocate" not in {grant.badge for grant in badges.held(quiet_one)}
    assert db.session.get(Programme, quiet_one.id) is not None  # never deleted
    assert programme.stage_of(active_one) == "advocate" and programme.record(active_one).renewed_at is not None
    assert history(quiet_one)[-1] == ("advocate", "alumni", "maria")
    assert programme.renewals() == []
    login(quiet_one)
    assert client.get(f"/forums/c/{programme.lounge_if_any().slug}").status_code in (403, 404)


def test_an_advocate_may_step_back_themselves(client, login):
    advocate = an_advocate()
    login(advocate)
    done = client.submit("/advocates/programme/leave", {"why": "A new job takes all my time for now."},
                         page="/advocates/programme", follow_redirects=True)
    assert "You are one of our alumni now" in done.get_data(as_text=True)
    db.session.expire_all()
    assert programme.stage_of(advocate) == "alumni"


# Who sees what ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/advocates/programme/pipeline", "/advocates/programme/m/someone",
                                  "/advocates/programme/renewals"])
def test_only_managers_see_the_pipeline(client, login, path):
    make_member("someone")
    for name, role in (("lena", "member"), ("kenji", "moderator")):
        make_member(name, role=role)
        login(name)
        assert client.get(path).status_code == 403
    assert client.submit("/advocates/programme/m/someone/invite", {"invite-message": "Join us, please, now."},
                         page="/advocates/").status_code == 403
    make_member("maria", role="manager")
    login("maria")
    assert client.get(path).status_code == 200


def test_the_pipeline_page_issues_the_same_queries_for_3_or_12_members(client, login, count_queries):
    manager = make_member("maria", role="manager")
    mentor = make_member("kenji", role="moderator")

    def grow(prefix, count):
        for n in range(count):
            an_advocate(f"{prefix}adv{n}", manager=manager, mentor=mentor)
            programme.nominate(make_member(f"{prefix}nom{n}"), seasoned(f"{prefix}fan{n}"),
                               "Helps every newcomer kindly and fast.")
        db.session.commit()

    grow("a", 3)
    login("maria")
    client.get("/advocates/programme/pipeline")
    with count_queries() as small:
        assert client.get("/advocates/programme/pipeline").status_code == 200
    grow("b", 9)
    with count_queries() as large:
        html = client.get("/advocates/programme/pipeline").get_data(as_text=True)
    assert "badv8" in html
    assert large.count == small.count, large.statements[small.count:]
    assert small.count <= 20


def test_the_author_card_shows_the_advocate_title(client):
    advocate = an_advocate()
    topic = make_topic(make_member("asker"))
    make_reply(topic, advocate)
    db.session.commit()
    html = client.get(f"/t/{topic.id}", follow_redirects=True).get_data(as_text=True)
    assert 'role-advocate">Advocate</span>' in html and ">Advocate</span>" in html


def test_recruiting_invite_puts_the_member_in_the_pipeline(app):
    star = a_star("quick")
    recruiting.act(star, "task", make_member("boss", role="manager"), "Join the welcome squad for a week.")
    db.session.commit()
    assert programme.stage_of(star) == "spotted"


def test_the_lounge_is_found_in_search_by_advocates_only(client, login, indexing):
    advocate = an_advocate()
    make_topic(advocate, category=programme.lounge_if_any(), title="Wombat plans for the spring meetups")
    db.session.commit()
    make_member("outsider")
    login("outsider")
    assert "Wombat plans" not in client.get("/search?q=wombat").get_data(as_text=True)
    login(advocate)
    assert "Wombat plans" in client.get("/search?q=wombat").get_data(as_text=True)
    db.session.expire_all()
    programme.to_alumni(db.session.get(type(advocate), advocate.id), advocate, "Stepping back for a while.")
    db.session.commit()
    assert "Wombat plans" not in client.get("/search?q=wombat").get_data(as_text=True)
