"""Every POST route refuses a request that carries no CSRF token."""

from werkzeug.routing import IntegerConverter

from tests.factories import make_member

SAMPLE = {"username": "lena"}
# RFC 8058 one-click unsubscribe: mail clients POST without a form; the signed token in the address is the authority.
EXEMPT = {"forums.unsubscribe", "events.leave_chapter_mail"}


def post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in EXEMPT:
            values = {arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else SAMPLE.get(arg, "x1")
                      for arg in rule.arguments}
            yield rule.endpoint, rule.build(values, append_unknown=False)[1]


def test_there_are_post_routes_to_check(app):
    endpoints = {endpoint for endpoint, _ in post_routes(app)}
    assert {"accounts.login", "accounts.register", "accounts.logout", "manage.suspend", "forums.reply",
            "forums.accept_answer", "forums.thank"} <= endpoints


def test_every_post_route_refuses_a_request_without_csrf_token(client, login, app):
    make_member("ada", role="admin")
    make_member("lena")
    for endpoint, url in post_routes(app):
        login("ada")
        response = client.post(url, data={"reason": "x", "login": "ada", "password": "correct horse battery"})
        assert response.status_code == 400, endpoint
        assert "This form had expired or came from another site" in response.get_data(as_text=True), endpoint
    # and nothing changed: lena is not suspended
    assert client.get("/u/lena").status_code == 200
    assert "Suspended" not in client.get("/u/lena").get_data(as_text=True)


def test_a_token_from_another_session_is_refused(client, app):
    other = app.test_client()
    page = other.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.get("/account/login")  # this client has a session, and a token of its own
    response = client.post("/account/login", data={"login": "x", "password": "y", "csrf_token": token})
    assert response.status_code == 400
    assert "This form had expired or came from another site" in response.get_data(as_text=True)
