"""The manager console. Managers and admins only; admins suspend and restore members."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import queries as members
from ..accounts import services as accounts
from ..accounts.forms import RoleForm, SuspendForm
from ..core.errors import DomainError, Invalid
from ..core.permissions import ROLES, require
from ..extensions import db
from ..forums import trust
from . import health, queries

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.route("/health")
@login_required
def dashboard():
    require(current_user, "manage.view")
    period = request.args.get("period", "month")
    if period not in health.PERIODS:
        raise Invalid("Choose a week, a month or a quarter.")
    return render_template("manage/health.html", health=health.compute(period), periods=health.PERIODS)


@bp.route("/")
@login_required
def index():
    require(current_user, "manage.view")
    role, status = request.args.get("role", ""), request.args.get("status", "")
    page = queries.member_list(role if role in ROLES else "", status, request.args.get("after", type=int))
    return render_template("manage/index.html", page=page, role=role, status=status, roles=ROLES,
                           counts=queries.member_counts())


def _member(username, action):
    """The member the URL names, once the viewer is allowed `action` on them (404 or 403 otherwise)."""
    member = members.member_or_404(username)
    require(current_user, action, member)
    return member


def _done(member, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("accounts.profile", username=member.username))


@bp.route("/members/<username>/trust", methods=["POST"])
@login_required
def set_trust_level(username):
    member = _member(username, "member.set_trust_level")
    choice = request.form.get("level", "")
    if choice not in ("auto", "0", "1", "2", "3", "4"):
        raise Invalid("Choose a trust level from the list.")
    level = trust.grant_trust_level(member, None if choice == "auto" else int(choice), by=current_user)
    how = ", set by hand: activity won't change it" if member.trust_level_locked else \
        " and moves with their activity again"
    return _done(member, f"{member.name} is at trust level {level} ({trust.NAMES[level]}){how}.")


@bp.route("/members/<username>/suspend", methods=["GET", "POST"])
@login_required
def suspend(username):
    member = _member(username, "member.suspend")
    form = SuspendForm()
    if not form.validate_on_submit():
        return render_template("manage/suspend.html", form=form, member=member), 400 if form.is_submitted() else 200
    try:
        accounts.suspend(member, by=current_user, reason=form.reason.data)
    except DomainError as exc:
        form.reason.errors = [*form.reason.errors, exc.message]
        return render_template("manage/suspend.html", form=form, member=member), exc.status
    return _done(member, f"{member.name} is suspended. They see your reason when they try to sign in.")


@bp.route("/members/<username>/restore", methods=["POST"])
@login_required
def restore(username):
    member = _member(username, "member.suspend")
    accounts.restore(member, by=current_user)
    return _done(member, f"{member.name} is restored and can sign in again.")


@bp.route("/members/<username>/role", methods=["POST"])
@login_required
def set_role(username):
    member = _member(username, "member.set_role")
    form = RoleForm()
    if not form.validate_on_submit():
        raise Invalid("Choose one of the roles in the list.")
    accounts.set_role(member, form.role.data, by=current_user)
    return _done(member, f"{member.name} is now a {member.role}.")


from . import export_views, member_views  # noqa: E402,F401  (more of the console's pages, on this blueprint)
