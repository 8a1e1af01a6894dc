"""Who may do what with events. Community managers (and admins) run every event; a chapter's organisers run
their chapter's; an event's hosts and co-hosts run theirs; check-in helpers check people in."""

from ..core.permissions import has_role, rule


def organises(user, event) -> bool:
    if has_role(user, "manager"):
        return True
    if any(host.user_id == user.id and host.role in ("host", "cohost") for host in event.hosts):
        return True
    return event.chapter is not None and any(person.id == user.id for person in event.chapter.organisers)


def may_see(user, event) -> bool:
    """Drafts (and drafts cancelled before they were ever published) only for their organisers; members-only
    events for signed-in members."""
    if event.status == "draft" or event.published_at is None:
        return bool(getattr(user, "is_authenticated", False)) and organises(user, event)
    return event.visibility == "public" or bool(getattr(user, "is_authenticated", False))


@rule("events.create", refusal="Community managers and chapter organisers create events.")
def _create(user, chapter):
    if has_role(user, "manager"):
        return True
    return chapter is not None and any(person.id == user.id for person in chapter.organisers)


@rule("events.organise", refusal="Only this event's hosts, its chapter's organisers and community managers "
      "change it.")
def _organise(user, event):
    return organises(user, event)


@rule("events.check_in", refusal="Check-in is for this event's hosts, co-hosts and check-in helpers.")
def _check_in(user, event):
    return organises(user, event) or any(host.user_id == user.id for host in event.hosts)


@rule("events.rsvp", refusal="Confirm your address and sign in to RSVP.")
def _rsvp(user, event):
    return user.email_verified_at is not None


@rule("events.manage_chapters", refusal="Community managers create and edit chapters.")
def _manage_chapters(user, obj):
    return has_role(user, "manager")
