"""The after-event survey: "How likely are you to recommend…?" (0-10) and a comment, once per checked-in attendee;
results per event, chapter or host with promoters, passives and detractors shown apart, n and the comments —
never the score alone."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import text
from ..core.errors import Conflict, Invalid, NotAllowed
from ..extensions import db
from .models import RSVP, Event, EventHost, SurveyAnswer


def answer(event: Event, member, score: int, comment: str = "") -> SurveyAnswer:
    checked_in = db.session.scalar(select(RSVP.id).where(RSVP.event_id == event.id, RSVP.user_id == member.id,
                                                         RSVP.state == "checked_in"))
    if checked_in is None:
        raise NotAllowed("The survey is for people who were checked in at the event.")
    if not isinstance(score, int) or not 0 <= score <= 10:
        raise Invalid("Pick a number from 0 (not at all likely) to 10 (extremely likely).", field="score")
    if len(comment) > 2000:
        raise Invalid("Keep the comment under 2,000 characters.", field="comment")
    row = SurveyAnswer(event_id=event.id, user_id=member.id, score=score, comment=comment.strip(),
                       comment_html=text.render(comment.strip()))
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Conflict("You answered this survey already: thank you!") from None
    return row


def answered(event: Event, member) -> bool:
    return db.session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.event_id == event.id,
                                                           SurveyAnswer.user_id == member.id)) is not None


@dataclass
class Results:
    n: int = 0
    promoters: int = 0  # 9-10
    passives: int = 0  # 7-8
    detractors: int = 0  # 0-6
    comments: list = field(default_factory=list)  # (score, comment_html, event title), newest first

    @property
    def nps(self) -> int | None:
        """% promoters − % detractors, from −100 to 100; None without answers."""
        if not self.n:
            return None
        return round(100 * (self.promoters - self.detractors) / self.n)

    def share(self, count: int) -> int:
        return round(100 * count / self.n) if self.n else 0


def results(*, event: Event | None = None, chapter=None, host=None) -> Results:
    """The answers for one event, a chapter's events or a host's events. 1 query."""
    query = select(SurveyAnswer.score, SurveyAnswer.comment_html, Event.title).join(
        Event, Event.id == SurveyAnswer.event_id).order_by(SurveyAnswer.id.desc())
    if event is not None:
        query = query.where(SurveyAnswer.event_id == event.id)
    if chapter is not None:
        query = query.where(Event.chapter_id == chapter.id)
    if host is not None:
        query = query.where(Event.id.in_(select(EventHost.event_id).where(
            EventHost.user_id == host.id, EventHost.role.in_(("host", "cohost")))))
    found = Results()
    for score, comment_html, title in db.session.execute(query):
        found.n += 1
        if score >= 9:
            found.promoters += 1
        elif score >= 7:
            found.passives += 1
        else:
            found.detractors += 1
        if comment_html:
            found.comments.append((score, comment_html, title))
    return found
