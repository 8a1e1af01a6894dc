"""The planning checklist: tasks due relative to the start (they move with the event), assignees, status, notes,
cost and the budget total; overdue tasks stand out for the hosts."""

from datetime import date
from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from ...core.errors import DomainError, Invalid
from ...core.timeutil import local, utcnow
from ...extensions import db
from .. import planning
from ..forms import NewTaskForm, TaskForm
from . import bp, event_for


def _today(event) -> date:
    return local(utcnow(), event.time_zone).date()


def _task_form(event, task=None):
    form = TaskForm(prefix=f"t{task.id}" if task else "t", obj=task)
    form.assignee.choices = [SelectChoice("", "Nobody yet")] + [
        SelectChoice(str(host.user_id), f"{host.user.name} ({host.role})") for host in event.hosts]
    if task is not None and not form.is_submitted():
        form.assignee.data = str(task.assignee_id or "")
        form.cost.data = Decimal(task.cost_cents) / 100
    return form


def _page(event, new_form=None, status=200, failed=None):
    tasks = planning.tasks(event)
    forms = {task.id: (failed if failed is not None and failed.prefix == f"t{task.id}-" else _task_form(event, task))
             for task in tasks}
    return render_template("events/plan.html", event=event, tasks=tasks, forms=forms, today=_today(event),
                           due=lambda task: planning.due(event, task), budget=planning.budget(tasks),
                           new_form=new_form or NewTaskForm(), templates=planning.TEMPLATES), status


@bp.route("/<id:event_id>/plan")
@login_required
def plan(event_id):
    event = event_for(event_id, "events.organise")
    return _page(event)


@bp.route("/<id:event_id>/plan/checklist/<key>", methods=["POST"])
@login_required
def apply_checklist(event_id, key):
    event = event_for(event_id, "events.organise")
    added = planning.apply(event, key)
    db.session.commit()
    flash(f"{len(added)} tasks added from “{planning.TEMPLATES[key].name}”.", "success")
    return redirect(url_for("events.plan", event_id=event.id))


@bp.route("/<id:event_id>/plan/new", methods=["POST"])
@login_required
def new_task(event_id):
    event = event_for(event_id, "events.organise")
    form = NewTaskForm()
    if not form.validate_on_submit():
        return _page(event, form, 400)
    planning.add(event, form.title.data, form.offset_days.data)
    db.session.commit()
    flash("The task is added.", "success")
    return redirect(url_for("events.plan", event_id=event.id))


@bp.route("/<id:event_id>/plan/<id:task_id>", methods=["POST"])
@login_required
def update_task(event_id, task_id):
    event = event_for(event_id, "events.organise")
    task = planning.task_of(event, task_id)
    form = _task_form(event, task)
    try:
        if not form.validate_on_submit():
            raise Invalid("Check the marked fields of this task.")
        assignee = next((h.user for h in event.hosts if str(h.user_id) == form.assignee.data), None)
        planning.update(task, status=form.status.data, assignee=assignee, notes=form.notes.data or "",
                        cost_cents=int((form.cost.data or 0) * 100), offset_days=form.offset_days.data)
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return _page(event, status=exc.status, failed=form)
    db.session.commit()
    flash(f"Saved: {task.title}.", "success")
    return redirect(url_for("events.plan", event_id=event.id) + f"#task-{task.id}")
