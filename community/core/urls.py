"""Links that leave the site (in mail, feeds, calendar files) are built from the configured PUBLIC_URL.

Never from the request's Host header: a forged Host would otherwise put an attacker's address in front of a
password-reset token. Works in a request, in a CLI command and in after-commit work alike.
"""

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
