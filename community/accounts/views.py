"""Sign up, sign in, confirm, reset, profile. Views parse, authorize, call one service, commit, redirect."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import DomainError, Invalid
from ..core.security import safe_next
from ..extensions import db, limiter
from . import queries, services
from .forms import ChangePasswordForm, EmailForm, LoginForm, ProfileForm, RegisterForm, ResetPasswordForm

bp = Blueprint("accounts", __name__)


def refuse(form, template, exc: DomainError, **context):
    """Re-render a form with the service's refusal attached to its field (or the form), keeping what was typed."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)
    return render_template(template, form=form, **context), exc.status if exc.status != 409 else 400


def _login_key():
    return f"{request.form.get('login', '').strip().lower()}|{request.remote_addr}"


@bp.route("/account/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("accounts/register.html", form=form), 400 if form.is_submitted() else 200
    try:
        user = services.register(form.username.data, form.email.data, form.password.data,
                                 time_zone=form.time_zone.data)
    except DomainError as exc:
        return refuse(form, "accounts/register.html", exc)
    db.session.commit()
    return render_template("accounts/check_inbox.html", email=user.email)


@bp.route("/account/verify/<token>")
def verify(token):
    try:
        user = services.verify_email(token)
    except DomainError as exc:
        return render_template("accounts/link_problem.html", message=str(exc), form=EmailForm()), exc.status
    db.session.commit()
    flash(f"Thanks, {user.name}: your address is confirmed. Sign in to start.", "success")
    return redirect(url_for("accounts.login", login=user.username))


@bp.route("/account/verify", methods=["POST"])
@limiter.limit("5 per hour", key_func=lambda: request.remote_addr)
def verify_again():
    form = EmailForm()
    if form.validate_on_submit():
        user = services.find_by_login(form.email.data)
        if user is not None and not user.is_verified:
            services.send_verification(user)
            db.session.commit()
    flash("If that address belongs to an account waiting for confirmation, a new link is on its way.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def login():
    form = LoginForm(login=request.args.get("login", ""), next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 400 if form.is_submitted() else 200
    try:
        user = services.authenticate(form.login.data, form.password.data)
    except DomainError as exc:
        return refuse(form, "accounts/login.html", exc)
    db.session.commit()
    session.clear()  # a new session for the signed-in person
    login_user(user, remember=form.remember.data)
    flash(f"Welcome back, {user.name}.", "success")
    return redirect(safe_next(form.next.data, url_for("site.home")))


@bp.route("/account/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("You are signed out. See you soon.", "info")
    return redirect(url_for("site.home"))


@bp.route("/account/reset", methods=["GET", "POST"])
def request_reset():
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/request_reset.html", form=form), 400 if form.is_submitted() else 200
    services.request_password_reset(form.email.data)
    db.session.commit()
    return render_template("accounts/check_inbox.html", email=form.email.data, reset=True)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    form = ResetPasswordForm()
    try:
        services.tokens.read(token, "reset")
        if not form.validate_on_submit():
            return render_template("accounts/reset.html", form=form), 400 if form.is_submitted() else 200
        user = services.reset_password(token, form.password.data)
    except Invalid as exc:
        if exc.field:
            return refuse(form, "accounts/reset.html", exc)
        return render_template("accounts/link_problem.html", message=str(exc), form=EmailForm(), reset=True), 400
    except DomainError as exc:
        return render_template("accounts/link_problem.html", message=str(exc), form=EmailForm(), reset=True), 409
    db.session.commit()
    flash("Your password is changed. Sign in with the new one.", "success")
    return redirect(url_for("accounts.login", login=user.username))


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    if not form.validate_on_submit():
        return render_template("accounts/edit_profile.html", form=form), 400 if form.is_submitted() else 200
    try:
        services.update_profile(current_user, display_name=form.display_name.data, bio=form.bio.data,
                                time_zone=form.time_zone.data)
    except DomainError as exc:
        return refuse(form, "accounts/edit_profile.html", exc)
    db.session.commit()
    flash("Your profile is saved.", "success")
    return redirect(url_for("accounts.profile", username=current_user.username))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/change_password.html", form=form), 400 if form.is_submitted() else 200
    try:
        services.change_password(current_user, form.current_password.data, form.password.data)
    except DomainError as exc:
        return refuse(form, "accounts/change_password.html", exc)
    db.session.commit()
    flash("Your password is changed.", "success")
    return redirect(url_for("accounts.profile", username=current_user.username))


@bp.route("/u/<username>")
def profile(username):
    user = queries.member_or_404(username)
    return render_template("accounts/profile.html", member=user)


@bp.route("/u/")
def members():
    page = queries.member_directory(request.args.get("after", type=int), request.args.get("q", ""))
    return render_template("accounts/members.html", page=page, q=request.args.get("q", ""))
