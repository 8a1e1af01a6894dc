"""The programme's pages: the public page (criteria, applying, a member's invitation, onboarding checklist and
status), nominations from a member's ledger page, and the managers' pipeline, member pages and renewal review."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import queries as members
from ..core.errors import DomainError
from ..core.permissions import require
from ..extensions import db
from . import programme, queries, rising
from .forms import AnswerForm, ApplyForm, InviteForm, MentorForm, NominateForm, TaskForm, WhyForm
from .views import bp


def _own_page(status: int = 200, **forms):
    row = programme.record(current_user) if current_user.is_authenticated else None
    context = {
        "row": row, "stages": programme.STAGES,
        "criteria": programme.criteria(current_user) if current_user.is_authenticated else None,
        "checklist": programme.checklist(row) if row is not None and row.stage in programme.INSIDE else None,
        "apply_form": forms.get("apply_form") or ApplyForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "leave_form": forms.get("leave_form") or WhyForm(),
        "lounge": programme.lounge_if_any(),
        "first_task_days": programme.FIRST_TASK_DAYS,
    }
    return render_template("advocates/programme.html", **context), status


def _refused(form, exc: DomainError, **forms):
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")
    return forms


@bp.route("/programme")
def programme_page():
    return _own_page()


def _own_form(name: str, form_class, act, said):
    """One of the member's own forms on the programme page: the page again, with what they typed and why not, until
    `act(form)` goes through; then one commit and `said(form)` as the flash."""
    form = form_class()
    if not form.validate_on_submit():
        return _own_page(400, **{name: form})
    try:
        act(form)
    except DomainError as exc:
        return _own_page(exc.status, **_refused(form, exc, **{name: form}))
    db.session.commit()
    flash(said(form), "success")
    return redirect(url_for("advocates.programme_page"))


@bp.route("/programme/apply", methods=["POST"])
@login_required
def apply():
    return _own_form("apply_form", ApplyForm, lambda form: programme.apply(current_user, form.statement.data),
                     lambda form: "Your application is with the community team: a person reads it and answers you "
                     "by mail.")


@bp.route("/programme/answer", methods=["POST"])
@login_required
def answer_invitation():
    accept = request.form.get("accept") == "yes"
    return _own_form("answer_form", AnswerForm,
                     lambda form: programme.answer(current_user, accept, form.note.data or ""),
                     lambda form: "Welcome aboard: your onboarding checklist is below, and the advocates' lounge is "
                     "open to you." if accept else "Understood: thank you for telling us. The door stays open.")


@bp.route("/programme/conduct", methods=["POST"])
@login_required
def accept_conduct():
    if request.form.get("agree") != "yes":
        flash("Tick the box to accept the code of conduct.", "error")
        return _own_page(400)
    try:
        row = programme.accept_conduct(current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return _own_page(exc.status)
    db.session.commit()
    flash("You are an advocate now: thank you. The Advocate badge is next to your name." if row.stage == "advocate"
          else "Thank you: the code of conduct is accepted. The rest of your checklist is below.", "success")
    return redirect(url_for("advocates.programme_page"))


@bp.route("/programme/leave", methods=["POST"])
@login_required
def leave_programme():
    return _own_form("leave_form", WhyForm, lambda form: programme.to_alumni(current_user, current_user, form.why.data),
                     lambda form: "You are one of our alumni now: thank you for all you did. Your ledger and badges "
                     "earned stay.")


@bp.route("/u/<username>/nominate", methods=["GET", "POST"])
@login_required
def nominate(username):
    member = queries.member_or_404(username)
    require(current_user, "advocates.nominate", member)
    form = NominateForm()
    done = programme.nominated_by(member, current_user)
    if not form.validate_on_submit():
        return render_template("advocates/nominate.html", member=member, form=form, done=done), \
            400 if form.is_submitted() else 200
    try:
        programme.nominate(member, current_user, form.reason.data)
    except DomainError as exc:
        _refused(form, exc)
        return render_template("advocates/nominate.html", member=member, form=form, done=done), exc.status
    db.session.commit()
    flash(f"Thank you: your nomination of {member.name} is with the community team.", "success")
    return redirect(url_for("advocates.member_ledger", username=member.username))


# The managers' side ------------------------------------------------------------------------------------------------

@bp.route("/programme/pipeline")
@login_required
def pipeline():
    require(current_user, "advocates.recruit")
    found, _ = rising.stars()
    return render_template("advocates/pipeline.html", stages=programme.STAGES, pipeline=programme.pipeline(),
                           stars=found, renewals=len(programme.renewals()), due=programme.first_task_due)


MANAGER_FORMS = {"invite": InviteForm, "mentor": MentorForm, "task": TaskForm, "renew": WhyForm, "alumni": WhyForm}


def _member_page(member, status: int = 200, **forms):
    row = programme.record(member)
    context = {name: forms.get(name) or form(prefix=name) for name, form in MANAGER_FORMS.items()}
    return render_template("advocates/programme_member.html", member=member, row=row, stages=programme.STAGES,
                           history=programme.history(member), nominations=programme.nominations(member),
                           checklist=programme.checklist(row) if row and row.stage in programme.INSIDE else None,
                           criteria=programme.criteria(member), forms=context), status


@bp.route("/programme/m/<username>")
@login_required
def programme_member(username):
    require(current_user, "advocates.recruit")
    return _member_page(queries.member_or_404(username))


@bp.route("/programme/m/<username>/<action>", methods=["POST"])
@login_required
def programme_act(username, action):
    require(current_user, "advocates.recruit")
    member = queries.member_or_404(username)
    if action not in MANAGER_FORMS:
        return _member_page(member, 404)
    form = MANAGER_FORMS[action](prefix=action)
    if not form.validate_on_submit():
        return _member_page(member, 400, **{action: form})
    try:
        if action == "invite":
            programme.invite(member, current_user, form.message.data)
            said = f"{member.name} has your invitation by mail, with a link to answer."
        elif action == "mentor":
            programme.assign_mentor(member, members.by_username(form.mentor.data), current_user)
            said = f"{member.name} and their mentor each have a mail."
        elif action == "task":
            programme.offer_first_task(member, current_user, form.task.data)
            said = f"{member.name} has the task by mail."
        elif action == "renew":
            programme.renew(member, current_user, form.why.data)
            said = f"{member.name} is renewed for another year."
        else:
            programme.to_alumni(member, current_user, form.why.data)
            said = f"{member.name} is one of the alumni now, with your thanks by mail."
    except DomainError as exc:
        return _member_page(member, exc.status, **_refused(form, exc, **{action: form}))
    db.session.commit()
    if programme.stage_of(member) == "advocate" and action in ("mentor", "task"):
        said += " Onboarding is complete: they are an advocate."
    flash(said, "success")
    return redirect(request.form.get("next") if request.form.get("next") == url_for("advocates.renewals")
                    else url_for("advocates.programme_member", username=member.username))


@bp.route("/programme/renewals")
@login_required
def renewals():
    require(current_user, "advocates.recruit")
    due = programme.renewals()
    return render_template("advocates/renewals.html", due=due,
                           suggestions={item.member.id: programme.suggestion(item) for item in due})
