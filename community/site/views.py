"""Home and search."""

from flask import Blueprint, render_template, request

from ..accounts import queries as members

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    return render_template("site/home.html", newest=members.newest_members(), staff=members.staff())


@bp.route("/search")
def search():
    q = request.args.get("q", "").strip()
    if len(q) > 200:
        return render_template("site/search.html", q=q[:200], page=None,
                               message="That search is too long: use up to 200 characters."), 400
    page = members.member_directory(request.args.get("after", type=int), q) if q else None
    return render_template("site/search.html", q=q, page=page, message=None)
