"""Mail about a member's place at an event. Queued in the transaction (core/mail.py), sent after the commit, never
on rollback. Every time is shown in the recipient's own zone with the zone named; the address and the online link
appear only when the recipient is going."""

from zoneinfo import ZoneInfo

from ..core import mail
from ..core.timeutil import aware
from ..core.urls import public_url
from . import ics
from .models import HOLDING, RSVP, WAITING, Event

# kind → (subject, the sentence that says what happened, attach: None, "request" or "cancel")
KINDS = {
    "confirmed": ("You're going: {title}", "Your seat is confirmed.", "request"),
    "waitlisted": ("You're on the waitlist: {title}",
                   "The event is full, so you are #{position} on the waitlist. If a seat frees up, we confirm it "
                   "for you and send a mail at once.", None),
    "pending": ("Request received: {title}", "The organisers approve each place for this event; we mail you as "
                "soon as they decide.", None),
    "promoted": ("A seat opened up — you're going: {title}", "A seat freed up and it is yours: you're going.",
                 "request"),
    "offered": ("A seat is held for you until {expires}: {title}",
                "A seat freed up and we are holding it for you until {expires}. Claim it on the event page; if you "
                "don't, it goes to the next person waiting.", None),
    "offer_expired": ("Your held seat was released: {title}",
                      "We held a seat for you until {expires}, and it has now gone to the next person waiting. You "
                      "can join the waitlist again from the event page.", None),
    "cancelled": ("You've cancelled: {title}", "Your place is cancelled, and the calendar entry is withdrawn. "
                  "Changed your mind? RSVP again on the event page.", "cancel"),
    "removed": ("Your place was cancelled by the organisers: {title}",
                "The organisers cancelled your place.", "cancel"),
    "approved": ("Approved — you're going: {title}", "The organisers approved your place: you're going.",
                 "request"),
    "approved_waitlisted": ("Approved — you're on the waitlist: {title}",
                            "The organisers approved your place. The event is full, so you are #{position} on the "
                            "waitlist.", None),
    "declined": ("About your request: {title}", "The organisers could not offer you a place this time.", None),
    "changed": ("Changed: {title}", "The organisers changed the event: {changes}.", "request"),
    "event_cancelled": ("Cancelled: {title}", "The organisers cancelled this event.", "cancel"),
}


def when(event: Event, zone: str) -> str:
    """"Tuesday 9 March 2027, 19:00–21:00 (Europe/Berlin)" in `zone`."""
    where = ZoneInfo(zone or "UTC")
    start, end = aware(event.starts_at).astimezone(where), aware(event.ends_at).astimezone(where)
    same_day = start.date() == end.date()
    shape = "%H:%M" if same_day else "%A %-d %B %Y, %H:%M"
    return f"{start:%A %-d %B %Y, %H:%M}–{end.strftime(shape)} ({zone or 'UTC'})"


def tell(rsvp: RSVP, kind: str, *, message: str = "", position: int | None = None, changes: str = "") -> None:
    """Queue the mail of `kind` (KINDS) to the RSVP's member."""
    event, member = rsvp.event, rsvp.user
    subject, sentence, attach = KINDS[kind]
    expires = ""
    if rsvp.offer_expires_at is not None:
        expires = aware(rsvp.offer_expires_at).astimezone(ZoneInfo(member.time_zone or "UTC")).strftime(
            f"%A %-d %B, %H:%M ({member.time_zone or 'UTC'})")
    words = {"title": event.title, "position": position, "expires": expires, "changes": changes}
    going = rsvp.state in HOLDING and rsvp.state != "offered" and event.status != "cancelled"
    attachments = []
    if attach:
        attachments.append(ics.invitation(event, member.email, going=going, tentative=rsvp.state in WAITING,
                                          cancel=attach == "cancel"))
    mail.queue(member.email, subject.format(**words), "events/rsvp", category=f"events.{kind}",
               attachments=attachments, member=member, event=event, sentence=sentence.format(**words),
               message=message, going=going, when=when(event, member.time_zone),
               link=public_url("events.event", event_id=event.id, slug=event.slug))
