"""The manager console. Managers and admins only; admins suspend and restore members."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import queries as members
from ..accounts import services as accounts
from ..accounts.forms import RoleForm, SuspendForm
from ..core.errors import DomainError, Invalid
from ..core.permissions import ROLES, require
from ..extensions import db
from . import queries

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.route("/")
@login_required
def index():
    require(current_user, "manage.view")
    role, status = request.args.get("role", ""), request.args.get("status", "")
    page = queries.member_list(role if role in ROLES else "", status, request.args.get("after", type=int))
    return render_template("manage/index.html", page=page, role=role, status=status, roles=ROLES,
                           counts=queries.member_counts())


@bp.route("/members/<username>/suspend", methods=["GET", "POST"])
@login_required
def suspend(username):
    member = members.member_or_404(username)
    require(current_user, "member.suspend", member)
    form = SuspendForm()
    if not form.validate_on_submit():
        return render_template("manage/suspend.html", form=form, member=member), 400 if form.is_submitted() else 200
    try:
        accounts.suspend(member, by=current_user, reason=form.reason.data)
    except DomainError as exc:
        form.reason.errors = [*form.reason.errors, exc.message]
        return render_template("manage/suspend.html", form=form, member=member), exc.status
    db.session.commit()
    flash(f"{member.name} is suspended. They see your reason when they try to sign in.", "success")
    return redirect(url_for("accounts.profile", username=member.username))


@bp.route("/members/<username>/restore", methods=["POST"])
@login_required
def restore(username):
    member = members.member_or_404(username)
    require(current_user, "member.suspend", member)
    accounts.restore(member, by=current_user)
    db.session.commit()
    flash(f"{member.name} is restored and can sign in again.", "success")
    return redirect(url_for("accounts.profile", username=member.username))


@bp.route("/members/<username>/role", methods=["POST"])
@login_required
def set_role(username):
    member = members.member_or_404(username)
    require(current_user, "member.set_role", member)
    form = RoleForm()
    if not form.validate_on_submit():
        raise Invalid("Choose one of the roles in the list.")
    accounts.set_role(member, form.role.data, by=current_user)
    db.session.commit()
    flash(f"{member.name} is now a {member.role}.", "success")
    return redirect(url_for("accounts.profile", username=member.username))
