"""Every signal that crosses an area boundary, declared in one place (blinker, past tense).

Receivers run inside the sender's transaction: they write, they never commit.
"""

from blinker import Namespace

_signals = Namespace()

member_registered = _signals.signal(
    "member-registered",
    doc="A person created an account. sender: the User; no extra arguments.",
)
member_verified = _signals.signal(
    "member-verified",
    doc="A member confirmed their email address. sender: the User.",
)
member_suspended = _signals.signal(
    "member-suspended",
    doc="An admin suspended a member. sender: the User; kwargs: by (the admin), reason (str).",
)
member_restored = _signals.signal(
    "member-restored",
    doc="An admin lifted a member's suspension. sender: the User; kwargs: by (the admin).",
)
member_role_changed = _signals.signal(
    "member-role-changed",
    doc="An admin gave a member another role. sender: the User; kwargs: by (the admin), previous (the old role).",
)
