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
rsvp_confirmed = _signals.signal(
    "rsvp-confirmed",
    doc="A member holds a confirmed seat at an event (RSVP'd with a seat free, claimed an offer, approved, or "
    "promoted from the waitlist in auto-confirm mode). sender: the RSVP; kwargs: event.",
)
rsvp_cancelled = _signals.signal(
    "rsvp-cancelled",
    doc="A member gave up their place (seat, offer, waitlist spot or request), or an organiser removed them. "
    "sender: the RSVP; kwargs: event, by (who cancelled), previous (the state before).",
)
waitlist_promoted = _signals.signal(
    "waitlist-promoted",
    doc="A waitlisted party got a seat (state going) or an offer to claim one (state offered), in the "
    "transaction that freed it. sender: the RSVP; kwargs: event, by (an organiser, or None when automatic).",
)
attendee_checked_in = _signals.signal(
    "attendee-checked-in",
    doc="A host or helper checked an attendee in at the door (once: checking in twice sends nothing). sender: "
    "the RSVP; kwargs: event, by.",
)
event_hosted = _signals.signal(
    "event-hosted",
    doc="An event took place with at least 3 checked-in attendees (sent once, by `events close-past`). sender: "
    "the Event; kwargs: hosts (the Users who hosted and co-hosted), attendees (how many checked in).",
)
event_cancelled = _signals.signal(
    "event-cancelled",
    doc="Organisers cancelled an event; everyone holding a place was told. sender: the Event; kwargs: by, reason.",
)
contribution_confirmed = _signals.signal(
    "contribution-confirmed",
    doc="A host confirmed that a checked-in attendee volunteered or spoke at the event (once per attendee). sender: "
    "the RSVP; kwargs: event, by (the host), role ('volunteered' or 'spoke').",
)
