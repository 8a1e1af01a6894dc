"""Planning checklists: templates of tasks due relative to the event's start (T-45 days: book the venue), applied
to an event to make its tasks. A task keeps its offset, so moving the event moves every due date."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..core.errors import Invalid, NotFound
from ..extensions import db
from .models import TASK_STATUSES, Event, Task


@dataclass(frozen=True)
class Template:
    name: str
    kind: str
    capacity: int | None
    hours: int
    tasks: tuple[tuple[int, str], ...]  # (days from the start, what to do)


TEMPLATES = {
    "meetup": Template("Customer meetup", "in_person", 40, 2, (
        (-30, "Book the venue"), (-21, "Confirm speakers and the agenda"), (-21, "Publish and invite the chapter"),
        (-10, "Order food and drinks"), (-7, "Check the AV: screen, microphone, adapters"),
        (-2, "Send the reminder with directions"), (-1, "Print name badges and the check-in list"),
        (1, "Send thank-you notes to speakers and the venue"), (2, "Share the slides and photos"))),
    "webinar": Template("Webinar", "online", None, 1, (
        (-21, "Confirm the speaker and the title"), (-14, "Set up the webinar room and test the link"),
        (-14, "Publish and invite"), (-3, "Rehearse with the speaker"), (-1, "Send the reminder with the link"),
        (1, "Send the recording and slides"))),
    "party": Template("Customer party for 60", "in_person", 60, 4, (
        (-45, "Book the venue for 60"), (-21, "Send the invitations"), (-14, "Book music and AV"),
        (-10, "Order catering for 60, with vegetarian and vegan dishes"), (-7, "Plan the welcome and the toast"),
        (-2, "Send the reminder"), (-1, "Print name badges"), (1, "Send thank-you notes"))),
}


def apply(event: Event, key: str) -> list[Task]:
    """Add the template's tasks to the event (after any it has)."""
    template = TEMPLATES.get(key)
    if template is None:
        raise Invalid("Pick a checklist from the list.", field="checklist")
    start = db.session.scalar(select(func.coalesce(func.max(Task.position), -1)).where(Task.event_id == event.id))
    tasks = [Task(event_id=event.id, title=title, offset_days=offset, position=start + 1 + number)
             for number, (offset, title) in enumerate(template.tasks)]
    db.session.add_all(tasks)
    db.session.flush()
    return tasks


def due(event: Event, task: Task) -> date:
    """The task's due date: its offset from the event's start date, in the event's zone."""
    return event.local_start.date() + timedelta(days=task.offset_days)


def add(event: Event, title: str, offset_days: int) -> Task:
    title = " ".join(title.split())
    if not 3 <= len(title) <= 200:
        raise Invalid("Name the task in 3 to 200 characters.", field="title")
    position = db.session.scalar(select(func.coalesce(func.max(Task.position), -1)).where(Task.event_id == event.id))
    task = Task(event_id=event.id, title=title, offset_days=offset_days, position=position + 1)
    db.session.add(task)
    db.session.flush()
    return task


def update(task: Task, *, status: str, assignee=None, notes: str = "", cost_cents: int = 0,
           offset_days: int | None = None) -> Task:
    if status not in TASK_STATUSES:
        raise Invalid("Pick to do, doing or done.", field="status")
    if not 0 <= cost_cents <= 100_000_000:
        raise Invalid("A cost from 0 to 1,000,000.", field="cost")
    task.status, task.assignee, task.notes, task.cost_cents = status, assignee, notes.strip()[:2000], cost_cents
    if offset_days is not None:
        task.offset_days = offset_days
    db.session.flush()
    return task


def task_of(event: Event, task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or task.event_id != event.id:
        raise NotFound("That task isn't part of this event.")
    return task


def tasks(event: Event) -> list[Task]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(select(Task).where(Task.event_id == event.id).options(joinedload(Task.assignee))
                                   .order_by(Task.offset_days, Task.position)))


def budget(tasks_: list[Task]) -> int:
    return sum(task.cost_cents for task in tasks_)
