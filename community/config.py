"""Configuration: defaults < instance/config.py < environment < the mapping given to create_app.

Every setting a deployment may change is read from the environment by name (see README, "Configuration").
"""

import os
import re
import secrets
from pathlib import Path

DEFAULTS = {
    "COMMUNITY_NAME": "Harbor Community",
    "COMMUNITY_TAGLINE": "Customers helping customers get unstuck, meet up and lead.",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Harbor Community <community@harbor.example>",
    "MAIL_REPLY_TO": "Harbor Community Team <team@harbor.example>",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_STRATEGY": "moving-window",
    "LOGIN_FAILURE_LIMIT": "5 per minute",  # per account and address
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "30 per minute",  # one address trying many accounts
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "TOKEN_MAX_AGE_VERIFY": 3 * 24 * 3600,
    "TOKEN_MAX_AGE_RESET": 2 * 3600,
    # argon2id parameters (argon2-cffi); RFC 9106 "low memory" profile by default.
    "PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Forums (Discourse's published defaults; see the forums spec)
    "FORUM_POSTS_PER_PAGE": 20,
    "FORUM_TOPICS_PER_PAGE": 30,
    "FORUM_TITLE_LENGTH": (15, 255),
    "FORUM_MIN_POST_LENGTH": 20,
    "FORUM_MAX_TAGS": 5,
    "FORUM_DUPLICATE_TITLE_MINUTES": 5,
    "FORUM_THANKS_PER_DAY": 50,
    "FORUM_THANKS_UNDO_MINUTES": 10,
    "FORUM_EDIT_WINDOW_HOURS_NEW": 24,  # TL0-1 edit their posts for a day
    "FORUM_EDIT_WINDOW_DAYS": 30,  # TL2+ for a month; moderators always
    "FORUM_FLAG_HIDE_SCORE": 8.3,  # about three TL2 flags hide a post
    "FORUM_SOLVED_REMINDER_DAYS": 3,  # "did an answer solve it?", once
    "FORUM_READING_SECONDS_PER_POST": 20,  # reading time from topic views: 30 posts read = 10 minutes
    "FORUM_INTRODUCTIONS_TOPIC_ID": None,  # the welcome page's "introduce yourself" thread (else found by title)
    # Search (Whoosh): how long a process waits for the index's writer lock before leaving its outbox rows to the
    # lock's holder (who applies them before letting go) or to `flask --app wsgi search sync`.
    "SEARCH_WRITER_TIMEOUT": 5.0,
    "SEARCH_APPLY_AFTER_COMMIT": True,  # off only in tests that are not about search (each index commit costs ~20 ms)
    "SEARCH_RESULTS_PER_PAGE": 20,
    "SEARCH_QUERY_LENGTH": 200,
    # How many reverse proxies stand in front (nginx: 1). Their X-Forwarded-For/-Proto/-Host are then believed.
    "TRUSTED_PROXIES": 0,
}

# Environment variables read verbatim, with the type to parse them as.
ENVIRONMENT = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "SEARCH_INDEX_DIR": str,
    "COMMUNITY_NAME": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.lower() in ("1", "true", "yes"),
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_FROM": str,
    "MAIL_REPLY_TO": str,
    "RATELIMIT_STORAGE_URI": str,
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in ("1", "true", "yes"),
    "PUBLIC_URL": str,
    "TRUSTED_PROXIES": int,
}


def load(app, overrides=None):
    """Fill app.config in the house order and derive what depends on the instance folder."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, parse in ENVIRONMENT.items():
        if os.environ.get(name):
            app.config[name] = parse(os.environ[name])
    app.config.update(overrides or {})

    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'community.db'}"
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if not app.config.get("SEARCH_INDEX_DIR"):
        app.config["SEARCH_INDEX_DIR"] = str(instance / "search-index")
    if not app.config.get("PUBLIC_URL"):
        app.config["PUBLIC_URL"] = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    app.config["PUBLIC_URL"] = app.config["PUBLIC_URL"].rstrip("/")
    if app.config["PUBLIC_URL"].startswith("https://"):
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    for name in ("MAIL_FROM", "MAIL_REPLY_TO"):
        if re.search(r"no[-_.]?reply", app.config[name], re.I):
            raise ValueError(f"{name} is {app.config[name]!r}: use a named address that a person reads, "
                             "never a noreply address.")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _instance_secret(path: Path) -> str:
    """The secret generated once per instance, so sessions survive restarts."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker (or an earlier start) made it
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return path.read_text().strip()
