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
topic_created = _signals.signal(
    "topic-created",
    doc="A member opened a topic. sender: the Topic; kwargs: post (its first Post).",
)
question_asked = _signals.signal(
    "question-asked",
    doc="A topic was opened in a questions category (also sends topic_created). sender: the Topic; kwargs: post.",
)
reply_posted = _signals.signal(
    "reply-posted",
    doc="A member replied in a topic. sender: the Post; kwargs: topic.",
)
answer_accepted = _signals.signal(
    "answer-accepted",
    doc="A reply was marked as the accepted answer. sender: the Post; kwargs: topic, by (who accepted), "
    "self_answer (True when the asker answered their own question: it earns nothing).",
)
answer_unaccepted = _signals.signal(
    "answer-unaccepted",
    doc="An accepted answer was un-accepted or replaced. sender: the Post; kwargs: topic, by.",
)
post_thanked = _signals.signal(
    "post-thanked",
    doc="A member thanked a post. sender: the Post; kwargs: by (the member who thanked), thanks (the Thanks row).",
)
post_unthanked = _signals.signal(
    "post-unthanked",
    doc="A member took back their thanks (within the undo window). sender: the Post; kwargs: by.",
)
post_deleted = _signals.signal(
    "post-deleted",
    doc="A post was deleted (soft). sender: the Post; kwargs: topic, by. Its thanks and any accepted answer stop "
    "counting (answer_unaccepted is sent first when it was the accepted answer).",
)
post_restored = _signals.signal(
    "post-restored",
    doc="A moderator restored a deleted post. sender: the Post; kwargs: topic, by.",
)
post_edited = _signals.signal(
    "post-edited",
    doc="A post's text changed (an edit or a revert) and a revision was kept. sender: the Post; kwargs: by (the "
    "editor), previous_body (the text before), revision (the new revision number). Sent by forums/editing.py.",
)
flag_upheld = _signals.signal(
    "flag-upheld",
    doc="A moderator agreed with the flags on a post (it stays hidden or is deleted). sender: the Post; kwargs: "
    "by (the moderator), flags (the Flag rows upheld). Sent by forums/flags.py when the queue item is resolved.",
)
