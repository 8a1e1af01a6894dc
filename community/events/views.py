"""The events blueprint. Its pages arrive with the events issue; until then it has its landing page."""

from flask import Blueprint, render_template

from ..accounts import queries as members

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.route("/")
def index():
    return render_template("events/index.html", staff=members.staff())
