"""What every template can use: the community's name, the viewer's roles, dates in the viewer's time zone."""

from flask_login import current_user

from .permissions import can, has_role
from .timeutil import aware, local, utcnow


def init_app(app):
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def globals_():
        return {
            "community_name": app.config["COMMUNITY_NAME"],
            "community_tagline": app.config["COMMUNITY_TAGLINE"],
            "has_role": lambda role: has_role(current_user, role),
            "can": lambda action, obj=None: can(current_user, action, obj),
        }

    app.add_template_filter(viewer_date, "date")
    app.add_template_filter(iso, "iso")
    app.add_template_filter(exact, "exact")
    app.add_template_filter(ago, "ago")
    app.add_template_filter(local_time_now, "time_now_in")
    app.add_template_filter(reject_keys, "reject_keys")


def reject_keys(mapping: dict, *names: str) -> dict:
    """A copy of `mapping` without `names` (links that keep a page's query arguments but change one)."""
    return {key: value for key, value in mapping.items() if key not in names}


def _viewer_zone():
    return getattr(current_user, "time_zone", None) or "UTC"


def viewer_date(value):
    return local(value, _viewer_zone()).strftime("%-d %B %Y") if value else ""


def iso(value):
    return local(value, "UTC").isoformat(timespec="seconds") if value else ""


def local_time_now(zone: str) -> str:
    return local(utcnow(), zone).strftime("%H:%M")


def exact(value):
    """The full time in the viewer's zone, for a `<time title>`."""
    return local(value, _viewer_zone()).strftime("%-d %B %Y, %H:%M %Z") if value else ""


def ago(value):
    """"3 h ago" for recent times, the date for older ones."""
    if not value:
        return ""
    seconds = (utcnow() - aware(value)).total_seconds()
    for limit, size, unit in ((60, 1, "s"), (3600, 60, "min"), (86400, 3600, "h"), (30 * 86400, 86400, "d")):
        if seconds < limit:
            return "just now" if unit == "s" else f"{int(seconds // size)} {unit} ago"
    return viewer_date(value)
