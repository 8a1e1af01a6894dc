"""The advocates blueprint. Its pages arrive with the advocates issue; until then it has its landing page."""

from flask import Blueprint, render_template

from ..accounts import queries as members

bp = Blueprint("advocates", __name__, url_prefix="/advocates")


@bp.route("/")
def index():
    return render_template("advocates/index.html", staff=members.staff())
