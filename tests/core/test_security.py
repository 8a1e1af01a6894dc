"""The security baseline: headers, cookies, error pages that say what to do next, redirects that stay home."""

import pytest

from community.core.security import safe_next


def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_page_has_an_inline_script_or_style(client):
    for url in ("/", "/account/login", "/account/register", "/u/", "/search", "/forums/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "<style" not in page and " style=" not in page, url
        assert " onclick=" not in page and " onload=" not in page, url


def test_session_cookie_is_http_only_and_same_site_lax(client):
    cookie = client.get("/account/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_behind_https(database_url, _schema, tmp_path):
    from community import create_app

    app = create_app({"DATABASE_URL": database_url, "PUBLIC_URL": "https://community.example", "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("status, words", [
    (404, "We couldn&#39;t find that page"),
    (405, "That action isn&#39;t available on this page"),
])
def test_error_pages_say_what_to_do_next(client, status, words):
    response = client.get("/nowhere") if status == 404 else client.get("/account/logout")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert words in page and "Go to the home page" in page and "<h1>" in page


def test_unexpected_errors_get_a_friendly_500(app, client):
    @app.route("/explode")
    def explode():
        raise RuntimeError("boom")

    response = client.get("/explode")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)


def test_too_long_search_is_a_clear_400(client):
    response = client.get("/search?q=" + "a" * 300)
    assert response.status_code == 400 and "use up to 200 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/u/lena", "/u/lena"), ("/search?q=x", "/search?q=x"), ("", "/"), (None, "/"),
    ("https://evil.example", "/"), ("//evil.example", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
    ("http:/evil", "/"), ("/ok\r\nSet-Cookie: x", "/"), ("relative/path", "/"),
])
def test_safe_next_only_allows_paths_on_this_site(target, expected):
    assert safe_next(target) == expected
