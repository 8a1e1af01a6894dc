"""Security baseline: response headers on every page, redirects that stay on this site, and input the database
can store."""

from urllib.parse import urlsplit

from flask import abort, request

from .errors import Invalid

NUL_REFUSAL = "Your text contains a character we can't store (a NUL byte). Remove it and send again."

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def set_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store" if response.status_code >= 400 else "private")
    return response


def safe_next(target: str | None, fallback: str = "/") -> str:
    """`target` if it is a path on this site, else `fallback` (no open redirects)."""
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ch in target for ch in "\r\n\t\\"):
        return fallback
    return target


def refuse_nul_bytes():
    """Before every request: PostgreSQL can't store a NUL byte in text, so no form field or query argument may
    carry one (a 400 that says so, the same on every database); in the address itself it names no page (404)."""
    if "\x00" in request.path:
        abort(404)
    for values in (request.args, request.form):
        if any("\x00" in name or "\x00" in value for name, value in values.items(multi=True)):
            raise Invalid(NUL_REFUSAL)
