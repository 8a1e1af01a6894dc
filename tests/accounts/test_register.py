"""Registration, address confirmation, and what a person sees when they get something wrong."""

import contextlib
import re
import string

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from tests.factories import make_member

GOOD = {"username": "newbie", "email": "newbie@example.com", "password": "a long enough secret", "time_zone": "UTC"}


def register(client, **changes):
    return client.submit("/account/register", {**GOOD, **changes})


def link_from(message):
    return re.search(r"https?://\S+/account/verify/\S+", message.get_body(("plain",)).get_content()).group(0)


def test_registering_sends_a_confirmation_link_and_creates_an_unconfirmed_account(client, smtp):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/account/check-inbox"
    page = client.get("/account/check-inbox").get_data(as_text=True)
    assert "We sent a link to <strong>newbie@example.com</strong>" in page
    user = db.session.scalar(select(User).where(User.username == "newbie"))
    assert user is not None and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    [message] = smtp.wait_for(1)
    assert message["To"] == "newbie@example.com"


def test_taken_email_comes_back_with_a_message_and_what_was_typed(client, app):
    make_member("someone", email="newbie@example.com")
    response = register(client, username="another", email="NEWBIE@example.com")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That address is already registered — sign in or reset your password." in page
    assert 'value="another"' in page and 'value="NEWBIE@example.com"' in page


def test_taken_username_is_refused_whatever_its_case(client, app):
    make_member("Newbie")
    response = register(client, username="NEWBIE", email="fresh@example.com")
    assert response.status_code == 400
    assert "That username is taken — choose another." in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "fresh@example.com")) is None


def test_bad_email_is_refused_with_a_message(client):
    response = register(client, email="not-an-address")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That email address doesn&#39;t look right." in page
    assert 'value="not-an-address"' in page and 'value="newbie"' in page
    assert db.session.scalar(select(User)) is None


def test_short_password_is_refused_and_the_rest_is_kept(client):
    response = register(client, password="short")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use at least 10 characters for your password." in page
    assert 'value="newbie"' in page and 'value="newbie@example.com"' in page
    assert 'aria-invalid="true"' in page


def test_bad_username_characters_are_explained(client):
    response = register(client, username="no spaces!")
    assert response.status_code == 400
    assert "Use 3 to 30 letters, digits, dots, dashes or underscores" in response.get_data(as_text=True)


def confirmed(username="newbie"):
    return db.session.scalar(select(User.email_verified_at).where(User.username == username)) is not None


def test_opening_the_link_asks_for_a_click_and_the_click_confirms_once(client, smtp):
    register(client)
    link = link_from(smtp.wait_for(1)[0])
    shown = client.get(link)  # what a mail scanner that opens links does: nothing changes
    assert shown.status_code == 200 and "Confirm my address" in shown.get_data(as_text=True)
    assert not confirmed()
    response = client.submit(link)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert confirmed()
    again = client.get(link)
    assert again.status_code == 409
    assert "This link has been used already" in again.get_data(as_text=True)


def test_another_spelling_of_a_spent_token_is_refused(client, smtp, app):
    register(client)
    link = link_from(smtp.wait_for(1)[0])
    client.submit(link)
    token = link.rsplit("/", 1)[1]
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="community.verify")
    variants = []
    for char in string.ascii_letters + string.digits + "-_":
        variant = token[:-1] + char
        with contextlib.suppress(BadSignature):
            if variant != token and serializer.loads(variant):
                variants.append(variant)
    assert variants, "base64 admits other spellings of the same signature"
    for variant in variants:
        assert client.get(link.rsplit("/", 1)[0] + "/" + variant).status_code == 409


def test_tampered_confirmation_link_is_refused(client, smtp):
    register(client)
    link = link_from(smtp.wait_for(1)[0])
    response = client.get(link[:-3] + "xyz")
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
    assert not confirmed()


def test_expired_confirmation_link_is_refused(client, smtp, app):
    register(client)
    link = link_from(smtp.wait_for(1)[0])
    app.config["TOKEN_MAX_AGE_VERIFY"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)


def test_asking_for_the_link_again_sends_a_new_one(client, smtp):
    register(client)
    smtp.wait_for(1)
    response = client.submit("/account/verify", {"email": "newbie@example.com"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/check-inbox"
    assert len(smtp.wait_for(2)) == 2
    client.submit("/account/verify", {"email": "nobody@example.com"})
    assert len(smtp.wait_for(3, timeout=0.5)) == 2


def test_asking_again_with_a_bad_address_says_so(client):
    response = client.submit("/account/verify", {"email": "not an address"})
    assert response.status_code == 400 and "doesn&#39;t look right" in response.get_data(as_text=True)


def test_links_in_mail_use_the_configured_address_not_the_host_header(client, smtp):
    make_member("lena")
    page = client.get("/account/reset", headers={"Host": "evil.example"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/account/reset", data={"email": "lena@example.com", "csrf_token": token},
                headers={"Host": "evil.example"})
    body = smtp.wait_for(1)[0].get_body(("plain",)).get_content()
    assert "http://localhost/account/reset/" in body and "evil.example" not in body


def test_a_confirmed_new_member_signs_in_and_lands_on_the_welcome_page(client, smtp):
    register(client)
    path = link_from(smtp.wait_for(1)[0]).split("localhost", 1)[1]
    response = client.submit(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login?login=newbie")
    login = client.submit(response.headers["Location"], {"login": "newbie", "password": GOOD["password"]})
    assert login.status_code == 302 and login.headers["Location"] == "/welcome"
    assert "Welcome, newbie" in client.get("/welcome").get_data(as_text=True)
