"""Fixtures: a fresh database per test (SQLite, or PostgreSQL with --db=postgresql), a real SMTP sink, a temp
search folder, query counting, and a client that submits forms the way a browser does (with the CSRF token)."""

import contextlib
import email
import email.policy
import os
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, text

from community import create_app
from community.core import mail
from community.extensions import db
from tests import pgserver

CI = os.environ.get("CI", "").lower() == "true"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def pytest_addoption(parser):
    parser.addoption("--db", default="sqlite", choices=["sqlite", "postgresql"], help="database for the suite")


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's own behaviour don't apply to the PostgreSQL run: deselected there, never skipped."""
    if config.getoption("--db") != "sqlite":
        kept = [item for item in items if "sqlite_only" not in item.keywords]
        config.hook.pytest_deselected(items=[item for item in items if "sqlite_only" in item.keywords])
        items[:] = kept


def pytest_report_header(config):
    return f"database: {config.getoption('--db')}"


# Database -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    if request.config.getoption("--db") == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'community.db'}"
        return
    with pgserver.database() as url:
        if url is None:
            message = "PostgreSQL run SKIPPED: no TEST_DATABASE_URL, no server at 127.0.0.1:5432, no initdb found."
            if CI:
                pytest.fail(message + " With CI=true the PostgreSQL run is mandatory.")
            print("\n" + "!" * 100 + "\n" + message + "\n" + "!" * 100)
            pytest.skip(message)
        yield url


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Build the schema once per run, through the migrations (the schema's only source)."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("instance-schema"), smtp_port=None))
    with app.app_context():
        upgrade()
        tables = list(reversed(db.metadata.sorted_tables))
        db.engine.dispose()
    return tables


def _test_config(database_url, instance, smtp_port, search_dir=None):
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_URL": "http://localhost",
        "SEARCH_INDEX_DIR": str(search_dir or instance / "search-index"),
        "MAIL_SERVER": "127.0.0.1" if smtp_port else None,
        "MAIL_PORT": smtp_port or 25,
        "MAIL_FROM": "Harbor Community <community@harbor.example>",
        "MAIL_REPLY_TO": "Harbor Community Team <team@harbor.example>",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Outbox rows are written by every test; they reach the index only in tests that ask for `indexing`
        # (an index commit costs ~20 ms, and the rest of the suite makes thousands of commits).
        "SEARCH_APPLY_AFTER_COMMIT": False,
        # Cheaper argon2id parameters keep the suite fast; the algorithm and code path are the real ones.
        "PASSWORD_HASH": {"time_cost": 1, "memory_cost": 8192, "parallelism": 1},
    }


@pytest.fixture
def search_dir(tmp_path):
    folder = tmp_path / "search-index"
    folder.mkdir()
    return folder


@pytest.fixture
def indexing(app):
    """The search index kept in step after every commit, as in production."""
    app.config["SEARCH_APPLY_AFTER_COMMIT"] = True
    return app


@pytest.fixture
def app(database_url, _schema, smtp, search_dir, tmp_path):
    app = create_app(_test_config(database_url, tmp_path, smtp.port, search_dir))
    app.instance_path = str(tmp_path)
    app.test_client_class = FormClient
    app.test_cli_runner_class = Runner
    with app.app_context():
        yield app
        mail.wait_for_senders(app)
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in _schema)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in _schema:
                    conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class FormClient(FlaskClient):
    """A test client that fills in the CSRF token from the page the form lives on, as a browser would.

    Each request runs in an application context of its own (fresh `g`, fresh database session), as on a real
    server, even though the test itself holds one open for factories and assertions.
    """

    def open(self, *args, **kwargs):
        db.session.commit()  # end the test's own transaction, so each side sees the other's writes
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            response.get_data()
        response.close()  # as a server does once the response is sent (after the request's teardown)
        mail.wait_for_senders(self.application)  # the request's mail threads, so tests see what was sent
        return response

    def submit(self, url, data=None, page=None, **kwargs):
        response = self.get(page or url)
        match = CSRF.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page or url} (status {response.status_code})"
        data = data or {}
        prefixed = {f"{key.split('-', 1)[0]}-csrf_token": match.group(1) for key in data if "-" in key}  # forms
        return self.post(url, data={**data, **prefixed, "csrf_token": match.group(1)}, **kwargs)  # with a prefix


class Runner(FlaskCliRunner):
    """Runs each command in an application context of its own, as a separate `flask` process would."""

    def invoke(self, *args, **kwargs):
        db.session.commit()
        with self.app.app_context():
            return super().invoke(*args, **kwargs)


@pytest.fixture
def login(client):
    """login(user_or_username, password=...) signs the client in through the real form and returns the response."""

    def sign_in(who, password="correct horse battery", remember=False):
        name = getattr(who, "username", who)
        data = {"login": name, "password": password}
        if remember:
            data["remember"] = "y"
        return client.submit("/account/login", data)

    return sign_in


# Mail ---------------------------------------------------------------------------------------------------------

class Sink:
    """A real SMTP server on a free loopback port that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if message["Subject"] is not None:  # a long subject folded right after "Subject:" parses back with the
            message.replace_header("Subject", message["Subject"].strip())  # fold's space; mail clients drop it
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count=1, timeout=5.0):
        deadline = time.time() + timeout
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture(scope="session")
def _smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


@pytest.fixture
def smtp(_smtp_server):
    _smtp_server.messages.clear()
    return _smtp_server


# Query counting -----------------------------------------------------------------------------------------------

@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements the block issued."""

    class Counter:
        def __init__(self):
            self.statements = []

        @property
        def count(self):
            return len(self.statements)

    @contextlib.contextmanager
    def counting():
        counter = Counter()

        def record(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)", statement, re.I):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting
