"""The forums blueprint. Its pages arrive with the forums issue; until then it has its landing page."""

from flask import Blueprint, render_template

from ..accounts import queries as members

bp = Blueprint("forums", __name__, url_prefix="/forums")


@bp.route("/")
def index():
    return render_template("forums/index.html", staff=members.staff())
