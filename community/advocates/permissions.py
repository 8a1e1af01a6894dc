"""Who may do what in the advocate programme: community managers decide."""

from ..core.permissions import has_role, rule


@rule("advocates.award", refusal="Community managers give awards for work off the portal.")
def _award(user, obj):
    return has_role(user, "manager")


@rule("advocates.recruit", refusal="Rising stars and ring flags are for community managers.")
def _recruit(user, obj):
    return has_role(user, "manager")
