"""Roles in the console; admins suspend and restore members."""

import html

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from tests.factories import make_member


def test_console_is_for_managers_and_admins(client, login, app):
    for name, role in [("mem", "member"), ("mod", "moderator"), ("man", "manager"), ("adm", "admin")]:
        make_member(name, role=role)
    expected = {"mem": 403, "mod": 403, "man": 200, "adm": 200}
    for name, status in expected.items():
        login(name)
        assert client.get("/manage/").status_code == status, name
        client.submit("/account/logout", page="/")
    assert client.get("/manage/").status_code == 302  # anonymous: sign in first


def test_manage_link_shows_only_for_managers(client, login, app):
    make_member("mem")
    make_member("man", role="manager")
    login("mem")
    assert 'href="/manage/"' not in client.get("/").get_data(as_text=True)
    client.submit("/account/logout", page="/")
    login("man")
    assert 'href="/manage/"' in client.get("/").get_data(as_text=True)


def test_console_filters_members_by_status(client, login, app):
    make_member("man", role="manager")
    make_member("fresh", verified=False)
    make_member("lena")
    login("man")
    page = client.get("/manage/?status=unconfirmed").get_data(as_text=True)
    assert "@fresh" in page and "@lena" not in page


def test_admin_suspends_with_a_reason_and_restores(client, login, app):
    make_member("ada", role="admin")
    make_member("lena")
    login("ada")
    empty = client.submit("/manage/members/lena/suspend", {"reason": ""})
    assert empty.status_code == 400 and "Say why" in empty.get_data(as_text=True)
    response = client.submit("/manage/members/lena/suspend", {"reason": "Posting spam links."})
    assert response.status_code == 302
    lena = db.session.scalar(select(User).where(User.username == "lena"))
    assert lena.suspended_reason == "Posting spam links." and lena.suspended_at is not None
    assert "Suspended" in client.get("/u/lena").get_data(as_text=True)
    twice = client.submit("/manage/members/lena/suspend", {"reason": "again"})
    assert twice.status_code == 409
    restored = client.submit("/manage/members/lena/restore", page="/u/lena")
    assert restored.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.suspended_at).where(User.username == "lena")) is None


def test_managers_and_moderators_cannot_suspend_and_are_told_why(client, login, app):
    make_member("man", role="manager")
    make_member("mod", role="moderator")
    make_member("lena")
    for name in ("man", "mod"):
        login(name)
        page = client.get("/manage/members/lena/suspend")
        assert page.status_code == 403
        assert "Only admins suspend members" in page.get_data(as_text=True)
        assert "team@harbor.example" in page.get_data(as_text=True)
        response = client.submit("/manage/members/lena/suspend", {"reason": "x"}, page="/account/reset")
        assert response.status_code == 403
        client.submit("/account/logout", page="/")
    assert db.session.scalar(select(User.suspended_at).where(User.username == "lena")) is None


def test_admins_cannot_be_suspended(client, login, app):
    make_member("ada", role="admin")
    make_member("bob", role="admin")
    login("ada")
    assert client.get("/manage/members/bob/suspend").status_code == 403
    assert client.get("/manage/members/ada/suspend").status_code == 403


def test_admin_changes_a_members_role(client, login, app):
    make_member("ada", role="admin")
    make_member("lena")
    login("ada")
    response = client.submit("/manage/members/lena/role", {"role": "moderator"}, page="/u/lena")
    assert response.status_code == 302
    assert db.session.scalar(select(User.role).where(User.username == "lena")) == "moderator"
    assert '<span class="role role-moderator">Moderator</span>' in client.get("/u/lena").get_data(as_text=True)
    same = client.submit("/manage/members/lena/role", {"role": "moderator"}, page="/u/lena")
    assert same.status_code == 409 and "already a moderator" in same.get_data(as_text=True)
    bogus = client.submit("/manage/members/lena/role", {"role": "emperor"}, page="/u/lena")
    assert bogus.status_code == 400


def test_only_admins_change_roles_and_never_their_own(client, login, app):
    make_member("ada", role="admin")
    make_member("maria", role="manager")
    make_member("lena")
    login("maria")
    assert client.submit("/manage/members/lena/role", {"role": "admin"}, page="/u/lena").status_code == 403
    client.submit("/account/logout", page="/")
    login("ada")
    assert client.submit("/manage/members/ada/role", {"role": "member"}, page="/u/lena").status_code == 403
    roles = dict(db.session.execute(select(User.username, User.role)).all())
    assert roles == {"ada": "admin", "maria": "manager", "lena": "member"}


def test_a_manager_grants_trust_level_4_and_hands_it_back_to_activity(client, login, app):
    make_member("maria", role="manager")
    lena = make_member("lena", display_name="Lena")
    login("maria")
    page = client.get("/u/lena").get_data(as_text=True)
    assert "Set trust level" in page and "<dd>0 · New</dd>" in page
    response = client.submit("/manage/members/lena/trust", {"level": "4"}, page="/u/lena", follow_redirects=True)
    assert "Lena is at trust level 4 (Leader), set by hand: activity won't change it." in html.unescape(
        response.get_data(as_text=True))
    db.session.refresh(lena)
    assert (lena.trust_level, lena.trust_level_locked) == (4, True)
    response = client.submit("/manage/members/lena/trust", {"level": "auto"}, page="/u/lena", follow_redirects=True)
    assert "and moves with their activity again" in response.get_data(as_text=True)
    db.session.refresh(lena)
    assert lena.trust_level_locked is False
    assert client.submit("/manage/members/lena/trust", {"level": "9"}, page="/u/lena").status_code == 400


def test_members_and_moderators_cannot_set_trust_levels(client, login, app):
    make_member("lena")
    make_member("kenji", role="moderator")
    login("kenji")
    assert "Set trust level" not in client.get("/u/lena").get_data(as_text=True)
    response = client.submit("/manage/members/lena/trust", {"level": "4"}, page="/u/lena")
    assert response.status_code == 403 and "Only managers and admins set trust levels." in response.get_data(
        as_text=True)


def test_members_see_their_progress_to_the_next_trust_level_on_their_own_profile(client, login, app):
    make_member("lena")
    make_member("other")
    login("lena")
    page = client.get("/u/lena").get_data(as_text=True)
    assert "Your next trust level" in page and "of 5" in page
    assert "Your next trust level" not in client.get("/u/other").get_data(as_text=True)
