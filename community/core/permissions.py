"""One question for every authorization check: may this person do this action to this object?

Areas register their rules with `@rule("area.action", refusal=...)`; views call `require(current_user, action, obj)`.
Roles rank member < moderator < manager < admin; a suspended member may do nothing.

Besides roles there are audiences: groups such as the advocate programme's members, named here so a private space
(a category) can be opened to them. The area that knows who belongs writes it on the member's account
(`User.audiences`, space-separated). Another area may also widen a rule (`@also("forums.recategorise")`: advocates
do light moderation) without the rule's area importing it.
"""

from werkzeug.exceptions import Unauthorized

from .errors import NotAllowed

ROLES = ("member", "moderator", "manager", "admin")
AUDIENCES = {"advocates": "Advocates (the programme's members, with moderators and managers)"}
_rules = {}
_also: dict[str, list] = {}


def rank(role: str | None) -> int:
    return ROLES.index(role) if role in ROLES else -1


def has_role(user, role: str) -> bool:
    """True when the signed-in, active user holds `role` or a higher one."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "suspended_at", None):
        return False
    return rank(user.role) >= rank(role)


def rule(action: str, refusal: str):
    """Register the rule for `action`; `refusal` is the sentence a refused person reads."""

    def register(fn):
        _rules[action] = (fn, refusal)
        return fn

    return register


def also(action: str):
    """Register a further way to be allowed `action` (the rule's own check comes first)."""

    def register(fn):
        _also.setdefault(action, []).append(fn)
        return fn

    return register


def can(user, action: str, obj=None) -> bool:
    check, _ = _rules[action]
    if not getattr(user, "is_authenticated", False) or getattr(user, "suspended_at", None):
        return False
    return bool(check(user, obj)) or any(extra(user, obj) for extra in _also.get(action, ()))


def require(user, action: str, obj=None) -> None:
    """Raise 401 (sign in first) for anonymous people, `NotAllowed` with the rule's reason for the signed-in."""
    if can(user, action, obj):
        return
    if not getattr(user, "is_authenticated", False):
        raise Unauthorized()
    raise NotAllowed(_rules[action][1])


def visible_member(viewer, member) -> bool:
    """Confirmed members are public; an unconfirmed account is seen only by itself and by staff."""
    return member.email_verified_at is not None or has_role(viewer, "moderator") or member == viewer


@rule("manage.view", refusal="The console is for community managers and admins.")
def _manage_view(user, obj):
    return has_role(user, "manager")


@rule("member.suspend", refusal="Only admins suspend members, and never themselves or another admin.")
def _member_suspend(user, member):
    return has_role(user, "admin") and member is not None and member.id != user.id and member.role != "admin"


@rule("member.set_role", refusal="Only admins change roles, and never their own.")
def _member_set_role(user, member):
    return has_role(user, "admin") and member is not None and member.id != user.id


def roles_up_to(user) -> tuple[str, ...]:
    """The roles and audiences whose private spaces `user` may enter (none for anonymous or suspended people).
    Staff enter every audience's space; a member, those written on their account (no query)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "suspended_at", None):
        return ()
    if rank(user.role) >= rank("moderator"):
        return ROLES[: rank(user.role) + 1] + tuple(AUDIENCES)
    return ROLES[: rank(user.role) + 1] + tuple(name for name in (user.audiences or "").split() if name in AUDIENCES)


def may_enter(user, required: str | None) -> bool:
    """May `user` enter a space open to `required` (a role and those above it, an audience, or None: everyone)."""
    return required is None or required in roles_up_to(user)


@rule("forums.view_category", refusal="This category is private.")
def _view_category(user, category):
    return may_enter(user, category.min_role)


@rule("forums.post", refusal="Confirm your address and sign in to post.")
def _forums_post(user, obj):
    return user.email_verified_at is not None


@rule("forums.moderate", refusal="The moderator log is for moderators.")
def _forums_moderate(user, obj):
    return has_role(user, "moderator")
