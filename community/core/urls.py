"""Links that leave the site (in mail, feeds, calendar files) are built from the configured PUBLIC_URL.

Never from the request's Host header: a forged Host would otherwise put an attacker's address in front of a
password-reset token. Works in a request, in a CLI command and in after-commit work alike.
"""

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import IntegerConverter


def public_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


class IdConverter(IntegerConverter):
    """`<id:topic_id>`: a positive integer the databases can hold; anything else is a 404, never a 500."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)
