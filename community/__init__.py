"""The community portal: create_app() is the only place the application is built."""

import logging

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings


def create_app(config=None) -> Flask:
    """Build the portal; `config` (a mapping) overrides every other source of settings."""
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates", static_folder="../static")
    settings.load(app, config)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("community").setLevel(logging.INFO)
    register_extensions(app)
    register_receivers()
    register_blueprints(app)
    register_hooks(app)
    from .cli import register_commands

    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to Alembic and the ORM)
    from .core import db as _db_plumbing  # noqa: F401  (SQLite pragmas, IMMEDIATE writes, after-commit work)
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id):
        from .accounts.models import User

        user_id, _, version = session_id.partition(".")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or user.suspended_at is not None or str(user.auth_version) != version:
            return None  # suspended, or signed out everywhere (password changed): the cookie no longer works
        return user


def register_receivers() -> None:
    """Connect every area's signal receivers (blinker keeps one connection per function, so this is idempotent)."""
    from .accounts import search as _members  # noqa: F401  (each area's documents in the search index)
    from .advocates import permissions as _advocate_rules  # noqa: F401
    from .advocates import receivers as _ledger  # noqa: F401  (the ledger listens to forums and events)
    from .events import permissions as _event_rules  # noqa: F401  (who may do what with events)
    from .events import search as _events  # noqa: F401
    from .forums import receivers  # noqa: F401
    from .forums import search as _forums  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from .core.urls import IdConverter

    app.url_map.converters["id"] = IdConverter
    from .accounts.views import bp as accounts
    from .advocates.views import bp as advocates
    from .events.views import bp as events
    from .forums.views import bp as forums
    from .manage.views import bp as manage
    from .site.views import bp as site

    for blueprint in (site, accounts, forums, events, advocates, manage):
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    from .core import templating
    from .core.errors import register_error_handlers
    from .core.security import refuse_nul_bytes, set_security_headers

    register_error_handlers(app)
    templating.init_app(app)
    app.before_request(refuse_nul_bytes)  # before any hook or view reads the input (and so before any query)
    app.after_request(set_security_headers)

    @app.before_request
    def load_viewer():
        # Every page shows who is signed in: load them first, so a page's query count never depends on whether
        # the viewer happens to be among the rows it lists.
        current_user._get_current_object()
        if current_user.is_authenticated:
            from .forums.trust import record_visit

            record_visit(current_user)
