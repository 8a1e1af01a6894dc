"""The advocate programme listens to the forums and events (their signals) and writes the ledger inside the same
transaction. Forums and events never import advocates."""

from sqlalchemy import select

from .. import signals
from ..accounts.models import User
from ..extensions import db
from . import badges, celebrations, ledger, levels, rules


def _member(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _first_reply_to_a_newcomer(post, topic) -> bool:
    """The post is the first reply to a first-time poster's opening question."""
    from ..forums.models import Post

    opening = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    first_reply = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number > 1)
                                    .order_by(Post.number).limit(1))
    return opening is not None and opening.first_of_author and first_reply == post.id and \
        opening.author_id != post.author_id


def _welcome(post, topic) -> None:
    if topic.category.is_questions and _first_reply_to_a_newcomer(post, topic):
        ledger.award(_member(post.author_id), "welcome", rules.BY_KIND["welcome"].points, "topic", topic.id,
                     note="first to answer a newcomer's first question")


@signals.answer_accepted.connect
def accepted(post, topic, by, self_answer, **extra):
    if self_answer or post.author_id == topic.author_id:
        return  # nothing for acting on your own question
    ledger.award(_member(post.author_id), "accepted_answer", rules.BY_KIND["accepted_answer"].points, "post",
                 post.id, giver=by)
    _welcome(post, topic)
    _refresh(post.author_id)  # (after the award: levels and badges read it)


def _resync(user_id: int) -> None:
    """Badges whose basis was just taken back are revoked."""
    member = _member(user_id)
    if member is not None:
        badges.sync(member)


def _unwelcome(post, topic) -> None:
    """The welcome bonus stands while its answer is accepted or thanked."""
    if not ledger.live(post.author_id, "accepted_answer", "post", post.id) and \
            not ledger.live(post.author_id, "thanks", "post", post.id):
        ledger.reverse_all(post.author_id, ["welcome"], "topic", topic.id, "the answer is no longer accepted or "
                           "thanked")


@signals.answer_unaccepted.connect
def unaccepted(post, topic, by, **extra):
    ledger.reverse_all(post.author_id, ["accepted_answer"], "post", post.id, "the answer was un-accepted")
    _unwelcome(post, topic)
    _resync(post.author_id)


@signals.post_thanked.connect
def thanked(post, by, thanks, **extra):
    if by.id == post.author_id:
        return
    member = _member(post.author_id)
    if not ledger.counts_for(member):
        return
    points, note = ledger.thanks_points(member, by)
    ledger.award(member, "thanks", points, "post", post.id, giver=by, note=note)
    _welcome(post, post.topic)
    badges.sync(member)  # (Unsung Helper counts unthanked answers)


@signals.post_unthanked.connect
def unthanked(post, by, **extra):
    ledger.reverse_all(post.author_id, ["thanks"], "post", post.id, "the thanks were taken back", giver_id=by.id)
    _unwelcome(post, post.topic)
    _resync(post.author_id)


@signals.post_deleted.connect
def deleted(post, topic, by, **extra):
    ledger.reverse_all(post.author_id, ["accepted_answer", "thanks"], "post", post.id, "the post was deleted")
    _unwelcome(post, topic)
    _resync(post.author_id)


@signals.flag_upheld.connect
def flag_upheld(post, by, flags, **extra):
    ledger.reverse_all(post.author_id, ["accepted_answer", "thanks"], "post", post.id,
                       "a moderator upheld flags on the post")
    _unwelcome(post, post.topic)
    _resync(post.author_id)


@signals.attendee_checked_in.connect
def checked_in(rsvp, event, by, **extra):
    ledger.award(_member(rsvp.user_id), "attended", rules.BY_KIND["attended"].points, "event", event.id, giver=by)
    _refresh(rsvp.user_id)


@signals.contribution_confirmed.connect
def contributed(rsvp, event, by, role, **extra):
    """Speaker 10, volunteer 8, once per event; a host changing their mind moves the credit."""
    other = "volunteered" if role == "spoke" else "spoke"
    ledger.reverse_all(rsvp.user_id, [other], "event", event.id, f"the host confirmed them as {role} instead")
    ledger.award(_member(rsvp.user_id), role, rules.BY_KIND[role].points, "event", event.id, giver=by)
    _refresh(rsvp.user_id)


@signals.event_hosted.connect
def hosted(event, hosts, attendees, **extra):
    for host in hosts:
        if ledger.award(host, "cohosted", rules.BY_KIND["cohosted"].points, "event", event.id,
                        note=f"{attendees} attendees checked in"):
            celebrations.celebrate(host, "cohost", f"co-hosted “{event.title}”")
        _refresh(host.id)


# Levels: promotion at once, after any activity that could earn one ------------------------------------------

def _refresh(user_id: int) -> None:
    member = _member(user_id)
    if member is not None:
        levels.refresh(member)
        badges.sync(member)


@signals.topic_created.connect
def asked(topic, post, **extra):
    _refresh(topic.author_id)


@signals.reply_posted.connect
def replied(post, topic, **extra):
    _refresh(post.author_id)


@signals.rsvp_confirmed.connect
def rsvp_confirmed(rsvp, event, **extra):
    _refresh(rsvp.user_id)


