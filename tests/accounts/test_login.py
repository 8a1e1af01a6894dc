"""Signing in and out: wrong passwords, throttling, unconfirmed and suspended accounts, remember-me, next."""

import re

from community.accounts import services
from community.extensions import db
from tests.factories import make_member


def test_member_signs_in_and_lands_on_home(client, login, app):
    make_member("lena", display_name="Lena Fischer")
    response = login("lena")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome back, Lena Fischer." in client.get("/").get_data(as_text=True)


def test_sign_in_by_email_works_too(client, login, app):
    make_member("lena", email="Lena@Example.com")
    assert login("lena@example.com").status_code == 302


def test_wrong_password_says_so_and_keeps_the_login(client, login, app):
    make_member("lena")
    response = login("lena", password="not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That username or password is wrong." in page
    assert 'value="lena"' in page


def test_six_wrong_passwords_get_a_429_with_the_retry_time(client, login, app):
    app.config["LOGIN_FAILURE_LIMIT"] = "5 per 3 minutes"  # a window unlike any fallback, so the time is real
    make_member("lena")
    make_member("other")
    statuses = [login("lena", password=f"wrong {i}").status_code for i in range(5)]
    assert statuses == [400] * 5
    sixth = login("lena", password="wrong 6")
    page = sixth.get_data(as_text=True)
    assert sixth.status_code == 429
    assert 120 < int(sixth.headers["Retry-After"]) <= 180
    assert re.search(r"Try again in 3 minutes", page)
    assert re.search(r"try again at <strong>\d\d:\d\d:\d\d UTC</strong>", page)
    # the right password is refused too while the window lasts; other accounts are unaffected
    assert login("lena").status_code == 429
    assert login("other").status_code == 302


def test_unconfirmed_account_is_told_to_confirm_first(client, login, app):
    make_member("fresh", verified=False)
    response = login("fresh")
    assert response.status_code == 403
    assert "Confirm your address first" in response.get_data(as_text=True)


def test_suspended_member_cannot_sign_in_and_is_told_why(client, login, app):
    admin = make_member("ada", role="admin")
    lena = make_member("lena")
    services.suspend(lena, by=admin, reason="Repeated spam links in answers.")
    db.session.commit()
    response = login("lena")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Your account is suspended: Repeated spam links in answers." in page
    assert "team@harbor.example" in page


def test_suspension_ends_an_open_session(client, login, app):
    admin = make_member("ada", role="admin")
    lena = make_member("lena")
    login("lena")
    assert client.get("/account/profile").status_code == 200
    services.suspend(lena, by=admin, reason="Spam.")
    db.session.commit()
    assert client.get("/account/profile").status_code == 302


def test_remember_me_sets_a_lasting_http_only_cookie(client, login, app):
    make_member("lena")
    response = login("lena", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0] and "Expires=" in remember[0]
    session = [c for c in cookies if c.startswith("session=")]
    assert session and "HttpOnly" in session[0] and "SameSite=Lax" in session[0]


def test_without_remember_me_there_is_no_lasting_cookie(client, login, app):
    make_member("lena")
    cookies = login("lena").headers.getlist("Set-Cookie")
    assert not [c for c in cookies if c.startswith("remember_token=")]


def test_next_goes_to_a_page_on_this_site(client, app):
    make_member("lena")
    response = client.submit("/account/login", {"login": "lena", "password": "correct horse battery",
                                                 "next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"


def test_next_never_leaves_this_site(client, app):
    make_member("lena")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.submit("/account/login", {"login": "lena", "password": "correct horse battery",
                                                     "next": target})
        assert response.headers["Location"] == "/", target
        client.submit("/account/logout", page="/")


def test_protected_page_sends_you_to_sign_in_and_back(client, app):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=%2Faccount%2Fprofile")


def test_sign_out_is_a_post_and_ends_the_session(client, login, app):
    make_member("lena")
    login("lena")
    assert client.get("/account/logout").status_code == 405
    response = client.submit("/account/logout", page="/")
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_one_address_trying_many_accounts_is_slowed_down_too(client, login, app):
    app.config["LOGIN_FAILURE_LIMIT_PER_ADDRESS"] = "8 per minute"
    statuses = [login(f"someone{i}", password="guess").status_code for i in range(9)]
    assert statuses == [400] * 8 + [429]


def test_typing_the_email_instead_of_the_username_counts_for_the_same_account(client, login, app):
    make_member("lena", email="lena@example.com")
    statuses = [login("lena" if i % 2 else "LENA@example.com", password="wrong").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(client, login, app):
    app.config["LOGIN_FAILURE_LIMIT_PER_ADDRESS"] = "3 per minute"

    def attempt(address):
        page = client.get("/account/login", headers={"X-Forwarded-For": address})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        return client.post("/account/login", data={"login": f"x{address}", "password": "p", "csrf_token": token},
                           headers={"X-Forwarded-For": address}).status_code

    # without TRUSTED_PROXIES the header is ignored: everyone shares the proxy's address
    assert [attempt(f"203.0.113.{i}") for i in range(4)] == [400, 400, 400, 429]


def test_trusted_proxies_setting_believes_x_forwarded_for(database_url, _schema, tmp_path):
    from community import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TRUSTED_PROXIES": 1})
    seen = []
    app.add_url_rule("/who", "who", lambda: seen.append(__import__("flask").request.remote_addr) or "ok")
    app.test_client().get("/who", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]
