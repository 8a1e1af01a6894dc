"""The advocates blueprint: how recognition works, each member's ledger ("Why do I have N points?"), and the
managers' award for work off the portal."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import queries as members
from ..core.errors import DomainError, Invalid, NotAllowed
from ..core.forms import refuse
from ..core.permissions import has_role, require
from ..extensions import db
from . import badges, celebrations, leaderboards, ledger, levels, queries, recruiting, rising, rules
from .forms import AwardForm, BadgeForm, MilestoneForm

bp = Blueprint("advocates", __name__, url_prefix="/advocates")


@bp.app_template_global("recognition")
def recognition(users):
    """Rank, level and badges of the authors on a page (author cards in topics): a fixed number of queries."""
    return queries.recognition(users)


@bp.route("/")
def index():
    return render_template("advocates/index.html", staff=members.staff())


@bp.route("/how-it-works")
def how_it_works():
    return render_template("advocates/how_it_works.html", rules=rules)


@bp.route("/u/<username>")
def member_ledger(username):
    member = queries.member_or_404(username)
    before = request.args.get("before", type=int)
    rows, next_before = queries.entries(member, before)
    own = current_user.is_authenticated and (current_user.id == member.id or has_role(current_user, "manager"))
    return render_template("advocates/ledger.html", member=member, standing=queries.standing(member), rows=rows,
                           reversed_rows=queries.sources(rows), next_before=next_before, rules=rules,
                           counts=ledger.counts_for(member), level=levels.current(member), level_names=levels.NAMES,
                           impact=levels.impact(levels.activity(member)) if own else None,
                           badges=badges.held(member), catalogue=badges.BY_KEY)


def _for_a_member(form_class, template: str, act, done):
    """A manager's form about one member (an award, a badge, a milestone): the form again (400) until it is right
    and names a member; then `act(member, form)` (a refusal goes on the form), one commit, and `done(member, form,
    result)` says where to go next."""
    require(current_user, "advocates.award")
    form = form_class(username=request.args.get("username"))
    if not form.validate_on_submit():
        return render_template(template, form=form), 400 if form.is_submitted() else 200
    member = members.by_username(form.username.data)
    try:
        if member is None:
            raise Invalid(f"No member is called @{form.username.data.lstrip('@')}.", field="username")
        result = act(member, form)
    except DomainError as exc:
        return refuse(form, template, exc)
    db.session.commit()
    return done(member, form, result)


def _to_ledger(member, sentence: str):
    flash(sentence, "success")
    return redirect(url_for("advocates.member_ledger", username=member.username))


@bp.route("/award", methods=["GET", "POST"])
@login_required
def award():
    return _for_a_member(
        AwardForm, "advocates/award.html",
        lambda member, form: ledger.award_manually(member, form.points.data, form.reason.data, current_user),
        lambda member, form, _: _to_ledger(member, f"{member.name} has {form.points.data} more points, with your "
                                                   "reason in their ledger."))


@bp.route("/rising")
@login_required
def rising_stars():
    require(current_user, "advocates.recruit")
    found, groups = rising.stars()
    return render_template("advocates/rising.html", stars=found, rings=rising.ring_members(groups),
                           actions=recruiting.ACTIONS, log=recruiting.recent())


@bp.route("/rising/<username>/<action>", methods=["POST"])
@login_required
def act_on_star(username, action):
    require(current_user, "advocates.recruit")
    member = queries.member_or_404(username)
    try:
        recruiting.act(member, action, current_user, request.form.get("message", ""))
    except DomainError as exc:
        flash(f"{member.name}: {exc.message}", "error")
        found, groups = rising.stars()
        return render_template("advocates/rising.html", stars=found, rings=rising.ring_members(groups),
                               actions=recruiting.ACTIONS, log=recruiting.recent()), exc.status
    db.session.commit()
    flash(f"Done: {recruiting.ACTIONS[action][0].lower()} — {member.name}. It is in the log.", "success")
    return redirect(url_for("advocates.rising_stars"))


@bp.route("/leaderboard")
def leaderboard():
    from ..forums import queries as forums

    period = request.args.get("period", "month")
    if period not in leaderboards.PERIODS:
        abort(404)
    category = forums.category_or_404(request.args["category"], current_user) if request.args.get("category") \
        else None
    hidden = current_user.is_authenticated and leaderboards.hidden(current_user)
    return render_template("advocates/leaderboard.html", lines=leaderboards.board(period, category),
                           periods=leaderboards.PERIODS, period=period, category=category,
                           categories=forums.categories(current_user), hidden=hidden)


@bp.route("/leaderboard/visibility", methods=["POST"])
@login_required
def leaderboard_visibility():
    hide = request.form.get("hide") == "1"
    leaderboards.set_hidden(current_user, hide)
    db.session.commit()
    flash("You are no longer listed on the leaderboards. Your points and ledger stay." if hide
          else "You are listed on the leaderboards again.", "success")
    return redirect(url_for("advocates.leaderboard"))


@bp.route("/badges")
def badge_list():
    mine = badges.progress(current_user) if current_user.is_authenticated and ledger.counts_for(current_user) \
        else {}
    return render_template("advocates/badges.html", badges=badges.BADGES, groups=badges.GROUPS,
                           counts=badges.holder_counts(), mine=mine,
                           held={g.badge for g in badges.held(current_user)} if current_user.is_authenticated
                           else set())


@bp.route("/badges/<key>")
def badge(key):
    found = badges.BY_KEY.get(key)
    holders = badges.holders(key)
    if found is None and not (key.startswith("manual:") and holders):
        abort(404)
    return render_template("advocates/badge.html", badge=found, key=key, holders=holders)


@bp.route("/badges/grant", methods=["GET", "POST"])
@login_required
def grant_badge():
    return _for_a_member(
        BadgeForm, "advocates/grant_badge.html",
        lambda member, form: badges.grant_manually(member, form.name.data, form.reason.data, current_user),
        lambda member, form, grant: _to_ledger(member, f"{member.name} has the badge “{grant.name}”."))


@bp.route("/spotlight")
def spotlight():
    return render_template("advocates/spotlight.html", celebrations=celebrations.shown())


@bp.route("/milestones/new", methods=["GET", "POST"])
@login_required
def new_milestone():
    def done(member, form, _):
        flash(f"{member.name} has a mail asking whether we may celebrate it; it shows once they say yes.", "success")
        return redirect(url_for("advocates.spotlight"))

    return _for_a_member(MilestoneForm, "advocates/milestone_new.html",
                         lambda member, form: celebrations.propose_milestone(member, form.text.data, current_user),
                         done)


@bp.route("/milestone/<token>", methods=["GET", "POST"])
@login_required
def milestone(token):
    row = celebrations.from_token(token)
    if request.method == "POST":
        celebrations.answer(row, current_user, request.form.get("answer") == "yes")
        db.session.commit()
        flash("Thank you: it's on the spotlight." if row.shown_at else "Understood: it stays private.", "success")
        return redirect(url_for("advocates.spotlight"))
    if row.member_id != current_user.id:
        raise NotAllowed("Only the member it celebrates can answer this.")
    return render_template("advocates/milestone.html", row=row, token=token)


from . import programme_views  # noqa: E402,F401  (the programme's pages, on this blueprint)
