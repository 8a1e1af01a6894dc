"""One question for every authorization check: may this person do this action to this object?

Areas register their rules with `@rule("area.action")`; views call `require(current_user, "area.action", obj)`.
Roles rank member < moderator < manager < admin; a suspended member may do nothing.
"""

from flask import abort
from werkzeug.exceptions import Unauthorized

ROLES = ("member", "moderator", "manager", "admin")
_rules = {}


def rank(role: str | None) -> int:
    return ROLES.index(role) if role in ROLES else -1


def has_role(user, role: str) -> bool:
    """True when the signed-in, active user holds `role` or a higher one."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "suspended_at", None):
        return False
    return rank(user.role) >= rank(role)


def rule(action: str):
    def register(fn):
        _rules[action] = fn
        return fn

    return register


def can(user, action: str, obj=None) -> bool:
    if action not in _rules:
        raise KeyError(f"no permission rule for {action!r}")
    if not getattr(user, "is_authenticated", False) or getattr(user, "suspended_at", None):
        return False
    return bool(_rules[action](user, obj))


def require(user, action: str, obj=None) -> None:
    """Abort with 401 (sign in first) for anonymous people, 403 for the signed-in who may not."""
    if can(user, action, obj):
        return
    if not getattr(user, "is_authenticated", False):
        raise Unauthorized()
    abort(403)


@rule("manage.view")
def _manage_view(user, obj):
    return has_role(user, "manager")


@rule("member.suspend")
def _member_suspend(user, member):
    return has_role(user, "admin") and member is not None and member.id != user.id and member.role != "admin"


@rule("member.set_role")
def _member_set_role(user, member):
    return has_role(user, "admin") and member is not None and member.id != user.id
