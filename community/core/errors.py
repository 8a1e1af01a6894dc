"""Domain errors raised by services, and the error pages every refusal ends on.

A service raises `NotAllowed`, `NotFound` or `Conflict` with a sentence for the person; the handler renders
templates/errors/error.html with the right status and what to do next.
"""

import time
from datetime import timedelta

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import limiter, login_manager
from .timeutil import aware, utcnow


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    status = 400


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooMany(DomainError):
    """A limit is reached; `retry_at` says when it lifts (the page and the Retry-After header say so too)."""

    status = 429

    def __init__(self, message: str, retry_at=None, field: str | None = None):
        super().__init__(message, field)
        self.retry_at = retry_at


TITLES = {
    400: ("That request could not be used", "Check what you entered and try again."),
    403: ("You can't do that here", "If you think this is wrong, write to {contact}: a person reads every mail."),
    404: ("We couldn't find that page", "It may have moved or been removed. Try the search or the forums."),
    405: ("That action isn't available on this page", "Go back and use the page's own buttons."),
    409: ("That changed while you were looking", "Reload the page to see the latest state, then try again."),
    413: ("That upload is too large", "Send a smaller file or shorter text."),
    429: ("You've reached a limit", "It lifts by itself at the time shown."),
    500: ("Something went wrong on our side", "It is logged for the team. Try again in a minute, or write to "
          "{contact} if it keeps happening."),
}


def render_error(status: int, message: str | None = None, retry_after: int | None = None):
    title, hint = TITLES.get(status, TITLES[400])
    hint = hint.format(contact=current_app.config["MAIL_REPLY_TO"])
    retry_at = None
    if retry_after:
        shape = "%H:%M:%S UTC" if retry_after < 3600 else "%-d %B, %H:%M UTC"
        retry_at = (utcnow() + timedelta(seconds=retry_after)).strftime(shape)
    html = render_template("errors/error.html", status=status, title=title, hint=hint, message=message,
                           retry_after=retry_after, retry_after_at=retry_at)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return html, status, headers


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def domain_error(exc):
        retry_at = getattr(exc, "retry_at", None)
        retry_after = max(1, int((aware(retry_at) - utcnow()).total_seconds())) if retry_at else None
        return render_error(exc.status, exc.message, retry_after=retry_after)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        app.logger.warning("CSRF refused: %s", exc.description)
        return render_error(
            400, "This form had expired or came from another site, so nothing was saved. Go back, reload the page "
            "and send it again."
        )

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code == 401:
            return login_manager.unauthorized()
        if exc.code == 429:
            return _too_many(exc)
        if exc.code and exc.code < 400:
            return exc
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def _too_many(exc):
    retry_after = 60
    limit = limiter.current_limit  # the limit that refused this request knows when its window resets
    if limit is not None:
        retry_after = max(1, int(limit.reset_at - time.time()))
    when = f"{retry_after} seconds" if retry_after < 120 else f"{round(retry_after / 60)} minutes"
    return render_error(429, f"Too many attempts in a short time. Try again in {when}.", retry_after=retry_after)
