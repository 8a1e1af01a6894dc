"""Profiles: the public page, editing, changing the password."""

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from tests.factories import make_member


def test_profile_shows_name_bio_zone_and_joined_date(client, app):
    make_member("lena", display_name="Lena Fischer", bio="I *love* [maps](https://example.com)",
                time_zone="Europe/Berlin")
    page = client.get("/u/lena").get_data(as_text=True)
    assert "<h1>Lena Fischer</h1>" in page
    assert '<em>love</em> <a href="https://example.com" rel="nofollow ugc">maps</a>' in page
    assert "Europe/Berlin" in page and "Joined" in page


def test_profile_address_is_case_blind_and_unknown_names_are_404(client, app):
    make_member("Lena")
    assert client.get("/u/lena").status_code == 200
    response = client.get("/u/nobody")
    assert response.status_code == 404 and "We couldn&#39;t find that page" in response.get_data(as_text=True)


def test_unconfirmed_accounts_have_no_public_profile(client, app):
    make_member("fresh", verified=False)
    assert client.get("/u/fresh").status_code == 404


def test_member_edits_profile_and_bio_is_rendered_once_at_write_time(client, login, app):
    make_member("lena")
    login("lena")
    response = client.submit("/account/profile", {"display_name": "Lena F.", "bio": "**Hamburg** <script>x</script>",
                                                  "time_zone": "Europe/Berlin"})
    assert response.status_code == 302 and response.headers["Location"] == "/u/lena"
    user = db.session.scalar(select(User).where(User.username == "lena"))
    assert user.display_name == "Lena F." and user.time_zone == "Europe/Berlin"
    assert user.bio_html == "<p><strong>Hamburg</strong> &lt;script&gt;x&lt;/script&gt;</p>"
    assert "Your profile is saved." in client.get("/u/lena").get_data(as_text=True)


def test_unknown_time_zone_is_refused_and_input_kept(client, login, app):
    make_member("lena")
    login("lena")
    response = client.submit("/account/profile", {"display_name": "Lena F.", "bio": "kept", "time_zone": "Mars/Base"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a time zone from the list." in page
    assert 'value="Lena F."' in page and "kept</textarea>" in page


def test_change_password_needs_the_current_one(client, login, app):
    make_member("lena")
    login("lena")
    wrong = client.submit("/account/password", {"current_password": "nope nope nope", "password": "another secret 1",
                                                "confirm": "another secret 1"})
    assert wrong.status_code == 400 and "Your current password is not right." in wrong.get_data(as_text=True)
    right = client.submit("/account/password", {"current_password": "correct horse battery",
                                                "password": "another secret 1", "confirm": "another secret 1"})
    assert right.status_code == 302
    assert client.get("/account/profile").status_code == 200  # this session stays signed in
    client.submit("/account/logout", page="/")
    assert login("lena", password="another secret 1").status_code == 302


def test_changing_the_password_signs_out_other_sessions(client, login, app):
    make_member("lena")
    other = app.test_client()
    other.submit("/account/login", {"login": "lena", "password": "correct horse battery", "remember": "y"})
    login("lena")
    client.submit("/account/password", {"current_password": "correct horse battery", "password": "another secret 1",
                                        "confirm": "another secret 1"})
    assert other.get("/account/profile").status_code == 302
    assert client.get("/account/profile").status_code == 200


def test_guessing_the_current_password_is_limited(client, login, app):
    make_member("lena")
    login("lena")
    data = {"current_password": "guess guess", "password": "another secret 1", "confirm": "another secret 1"}
    statuses = [client.submit("/account/password", data).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]


def test_members_directory_lists_confirmed_members_and_finds_by_name(client, app):
    make_member("lena", display_name="Lena Fischer")
    make_member("samuel", display_name="Samuel Mensah")
    make_member("ghost", verified=False)
    page = client.get("/u/").get_data(as_text=True)
    assert "Lena Fischer" in page and "Samuel Mensah" in page and "ghost" not in page
    found = client.get("/u/?q=fisch").get_data(as_text=True)
    assert "Lena Fischer" in found and "Samuel Mensah" not in found
