"""Home and search."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..accounts import queries as members
from ..advocates import celebrations
from ..events import queries as events
from ..forums import queries as forums
from . import queries as searching
from .forms import SearchForm

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    return render_template("site/home.html", newest=members.newest_members(), staff=members.staff(),
                           events=events.upcoming(current_user, per_page=3).events,
                           celebrations=celebrations.shown(celebrations.SHOWN_ON_HOME))


@bp.route("/search")
def search():
    form = SearchForm(request.args)
    categories = forums.categories(current_user)
    form.category.choices = [SelectChoice("", "Any category")] + [SelectChoice(c.slug, c.name) for c in categories]
    problem = _problem(form)
    if problem:
        return _page(form, message=problem), 400
    ask = form.ask()
    if ask.empty:
        return _page(form, ask)
    try:
        results = searching.find(ask, categories, current_user, page=form.page.data or 1)
    except searching.Problem as exc:
        return _page(form, ask, message=str(exc)), exc.status
    return _page(form, ask, results, searching.items(results.hits, current_user))


def _page(form, ask=None, results=None, items=(), message=None):
    return render_template("site/search.html", form=form, ask=ask, results=results, items=items, message=message,
                           link_args=form.link_args())


def _problem(form) -> str | None:
    """What is wrong with the search as typed, in words (400), or None."""
    limit = current_app.config["SEARCH_QUERY_LENGTH"]
    if len(form.q.data or "") > limit:
        return f"That search is too long: use up to {limit} characters."
    if not form.validate():
        return " ".join(f"{getattr(form, name).label.text}: {errors[0]}" for name, errors in form.errors.items())
    return next(iter(form.ask().errors), None)
