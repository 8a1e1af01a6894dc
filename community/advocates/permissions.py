"""Who may do what in the advocate programme: community managers decide. Advocates' privileges widen the forums'
and events' own rules from here (those areas never import this one): co-host rights on events, and light
moderation — moving public topics to the right category and merging duplicates."""

from ..core.permissions import also, has_role, rule
from .programme import is_advocate


@rule("advocates.award", refusal="Community managers give awards for work off the portal.")
def _award(user, obj):
    return has_role(user, "manager")


@rule("advocates.recruit", refusal="Rising stars, ring flags and the programme's pipeline are for community "
      "managers.")
def _recruit(user, obj):
    return has_role(user, "manager")


@rule("advocates.nominate", refusal="Confirm your address and sign in to nominate a member.")
def _nominate(user, obj):
    return user.email_verified_at is not None


@also("forums.recategorise")
@also("forums.merge")
def _light_moderation(user, topic):
    return is_advocate(user) and (topic is None or topic.category.min_role is None)


@also("events.create")
def _cohost_rights(user, chapter):
    return is_advocate(user)
