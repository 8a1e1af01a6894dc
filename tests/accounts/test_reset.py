"""Password reset by a signed, expiring, single-use link."""

import re

from tests.factories import make_member


def reset_link(smtp, count=1):
    message = smtp.wait_for(count)[count - 1]
    return re.search(r"https?://\S+/account/reset/\S+", message.get_body(("plain",)).get_content()).group(0)


def test_reset_link_changes_the_password_once(client, login, smtp, app):
    make_member("lena")
    response = client.submit("/account/reset", {"email": "lena@example.com"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/check-inbox?reset=1"
    assert "a link to choose a new password is on its way" in client.get("/account/check-inbox?reset=1").get_data(
        as_text=True)
    link = reset_link(smtp)
    response = client.submit(link, {"password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 302
    assert login("lena", password="correct horse battery").status_code == 400
    assert login("lena", password="a brand new secret").status_code == 302
    again = client.get(link)
    assert again.status_code == 409 and "This link has been used already" in again.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, smtp, app):
    response = client.submit("/account/reset", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/check-inbox?reset=1"
    assert smtp.wait_for(1, timeout=0.5) == []


def test_mismatched_passwords_come_back_with_a_message(client, smtp, app):
    make_member("lena")
    client.submit("/account/reset", {"email": "lena@example.com"})
    link = reset_link(smtp)
    response = client.submit(link, {"password": "a brand new secret", "confirm": "something else"})
    assert response.status_code == 400
    assert "The two passwords don&#39;t match." in response.get_data(as_text=True)


def test_older_reset_link_dies_when_the_password_changes(client, smtp, app):
    make_member("lena")
    client.submit("/account/reset", {"email": "lena@example.com"})
    client.submit("/account/reset", {"email": "lena@example.com"})
    first, second = reset_link(smtp, 1), reset_link(smtp, 2)
    assert client.submit(second, {"password": "a brand new secret", "confirm": "a brand new secret"}).status_code == 302
    replaced = client.get(first)
    assert replaced.status_code == 409 and "the password has changed since" in replaced.get_data(as_text=True)


def test_expired_reset_link_offers_a_new_one(client, smtp, app):
    make_member("lena")
    client.submit("/account/reset", {"email": "lena@example.com"})
    app.config["TOKEN_MAX_AGE_RESET"] = -1
    response = client.get(reset_link(smtp))
    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    assert "Send me a new reset link" in response.get_data(as_text=True)


def test_a_reset_signs_out_every_other_session(client, app, smtp, login):
    make_member("lena")
    other = app.test_client()  # lena signed in on another device, with remember-me
    other.submit("/account/login", {"login": "lena", "password": "correct horse battery", "remember": "y"})
    assert other.get("/account/profile").status_code == 200
    client.submit("/account/reset", {"email": "lena@example.com"})
    client.submit(reset_link(smtp), {"password": "a brand new secret", "confirm": "a brand new secret"})
    assert other.get("/account/profile").status_code == 302


def test_reset_requests_are_limited_per_address(client, smtp, app):
    make_member("lena")
    statuses = [client.submit("/account/reset", {"email": "lena@example.com"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(smtp.wait_for(3)) == 3
