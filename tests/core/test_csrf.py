"""Every POST route refuses a request that carries no CSRF token."""

from tests.factories import make_member

SAMPLE = {"username": "lena", "topic_id": 1, "post_id": 1}


def post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            values = {arg: SAMPLE.get(arg, "x1") for arg in rule.arguments}
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
