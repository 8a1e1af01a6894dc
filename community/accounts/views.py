"""Sign up, sign in, confirm, reset, profile. Views parse, authorize, call one service, commit, redirect."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import DomainError
from ..core.forms import refuse
from ..core.security import safe_next
from ..extensions import db, limiter
from . import queries, services, tokens
from .forms import ChangePasswordForm, EmailForm, LoginForm, ProfileForm, RegisterForm, ResetPasswordForm

bp = Blueprint("accounts", __name__)
FAILED = {"deduct_when": lambda response: response.status_code >= 400}


def show(template, form, **context):
    """A form page: 200 when first shown, 400 when it came back with errors."""
    return render_template(template, form=form, **context), 400 if form.is_submitted() else 200


def _login_key():
    """Failed sign-ins count per account (however it was typed) and address."""
    typed = request.form.get("login", "")
    user = services.find_by_login(typed)
    return f"{f'member:{user.id}' if user else 'unknown:' + typed.strip().lower()}|{request.remote_addr}"


def _address():
    return request.remote_addr


@bp.route("/account/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", key_func=_address, methods=["POST"], deduct_when=lambda r: r.status_code == 302)
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return show("accounts/register.html", form)
    try:
        user = services.register(form.username.data, form.email.data, form.password.data,
                                 time_zone=form.time_zone.data)
    except DomainError as exc:
        return refuse(form, "accounts/register.html", exc)
    db.session.commit()
    session["inbox"] = user.email
    return redirect(url_for("accounts.check_inbox"))


@bp.route("/account/check-inbox")
def check_inbox():
    return render_template("accounts/check_inbox.html", email=session.get("inbox"),
                           reset=request.args.get("reset") == "1")


@bp.route("/account/verify/<token>", methods=["GET", "POST"])
def verify(token):
    """GET shows a button; the POST confirms. Mail scanners that open links change nothing."""
    try:
        user = services.verify_email(token) if request.method == "POST" else tokens.read(token, "verify")[0]
    except DomainError as exc:
        return render_template("accounts/link_problem.html", message=exc.message, form=EmailForm()), exc.status
    if request.method == "GET":
        return render_template("accounts/verify.html", member=user)
    db.session.commit()
    flash(f"Thanks, {user.name}: your address is confirmed. Sign in to start.", "success")
    return redirect(url_for("accounts.login", login=user.username, next=url_for("forums.welcome")))


@bp.route("/account/verify", methods=["GET", "POST"])
@limiter.limit("5 per hour", key_func=_address, methods=["POST"])
def verify_again():
    form = EmailForm()
    if not form.validate_on_submit():
        return show("accounts/verify_again.html", form)
    services.resend_verification(form.email.data)
    db.session.commit()
    session["inbox"] = form.email.data
    return redirect(url_for("accounts.check_inbox"))


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], key_func=_login_key, methods=["POST"], **FAILED)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT_PER_ADDRESS"], key_func=_address, methods=["POST"],
               **FAILED)
def login():
    form = LoginForm(login=request.args.get("login", ""), next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return show("accounts/login.html", form)
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
@limiter.limit("5 per hour", key_func=_address, methods=["POST"])
@limiter.limit("3 per hour", key_func=lambda: "reset:" + request.form.get("email", "").strip().lower(),
               methods=["POST"])
def request_reset():
    form = EmailForm()
    if not form.validate_on_submit():
        return show("accounts/request_reset.html", form)
    services.request_password_reset(form.email.data)
    db.session.commit()
    session["inbox"] = form.email.data
    return redirect(url_for("accounts.check_inbox", reset=1))


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    form = ResetPasswordForm()
    try:
        tokens.read(token, "reset")
        if not form.validate_on_submit():
            return show("accounts/reset.html", form)
        user = services.reset_password(token, form.password.data)
    except DomainError as exc:
        if exc.field:
            return refuse(form, "accounts/reset.html", exc)
        return render_template("accounts/link_problem.html", message=exc.message, form=EmailForm(),
                               reset=True), exc.status
    db.session.commit()
    flash("Your password is changed, and every other session is signed out. Sign in with the new one.", "success")
    return redirect(url_for("accounts.login", login=user.username))


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    if not form.validate_on_submit():
        return show("accounts/edit_profile.html", form)
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
@limiter.limit("5 per 10 minutes", key_func=lambda: f"password:{current_user.id}", methods=["POST"], **FAILED)
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return show("accounts/change_password.html", form)
    try:
        services.change_password(current_user, form.current_password.data, form.password.data)
    except DomainError as exc:
        return refuse(form, "accounts/change_password.html", exc)
    db.session.commit()
    login_user(current_user._get_current_object(), fresh=True)  # this session stays in; all others are out
    flash("Your password is changed. Every other session is signed out.", "success")
    return redirect(url_for("accounts.profile", username=current_user.username))


@bp.route("/u/<username>")
def profile(username):
    return render_template("accounts/profile.html", member=queries.member_or_404(username))


@bp.route("/u/")
def members():
    page = queries.member_directory(request.args.get("after", type=int), request.args.get("q", ""))
    return render_template("accounts/members.html", page=page, q=request.args.get("q", ""))
