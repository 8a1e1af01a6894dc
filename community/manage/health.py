"""The community's health for a period (a week, a month or a quarter, rolling, ending now) and the five before it:
every figure of the managers' dashboard, computed from the data with its definition and n. Staff (moderators,
managers, admins) never count as members: their topics are left out and their answers count as staff answers.

A fixed number of queries whatever the community's size; the rows they return are bounded by the window
(six periods) and reduced here.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from ..accounts.models import User, Visit
from ..core.timeutil import aware, utcnow
from ..extensions import db

PERIODS = {"week": 7, "month": 30, "quarter": 91}
SHOWN = 6  # periods on each chart: this one, the one before it, and four more
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
SOLVED_WITHIN = timedelta(days=14)
SECOND_WITHIN = timedelta(days=30)
BACKLOG_BUCKETS = (("under 24 hours", 0, 1), ("1–3 days", 1, 3), ("3–7 days", 3, 7), ("over 7 days", 7, None))


@dataclass
class Span:
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        last = self.end - timedelta(seconds=1)
        if self.start.year != last.year:
            return f"{self.start:%-d %b %Y} – {last:%-d %b %Y}"
        return f"{self.start:%-d %b} – {last:%-d %b}"

    def __contains__(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass
class Point:
    value: float | None
    n: int


@dataclass
class Figure:
    key: str
    group: str
    title: str
    definition: str
    unit: str  # "hours", "%", "members", "count"
    points: list[Point]
    link: tuple[str, str] | None = None  # (text, url) to what the figure counts

    @property
    def current(self) -> Point:
        return self.points[-1]

    @property
    def previous(self) -> Point:
        return self.points[-2]

    def show(self, point: Point) -> str:
        if point.value is None:
            return "–"
        if self.unit == "%":
            return f"{point.value:.0f} %"
        if self.unit == "hours":
            return f"{point.value:.1f} h" if point.value < 48 else f"{point.value / 24:.1f} days"
        return f"{point.value:,.0f}"


@dataclass
class Health:
    period: str
    spans: list[Span]
    figures: list[Figure]
    backlog: list[tuple[str, int]]  # (age bucket, topics)
    oldest: list  # the oldest unanswered topics (id, title, slug, created_at)
    at_risk: list  # (User, contributions in the 90 days, last contribution)
    cohorts: list  # (month, joined, M+1 %, M+3 %) — None where the month hasn't come yet
    event_scores: list  # (event, promoters, passives, detractors, n, nps, margin)
    groups: list[str] = field(default_factory=lambda: ["Responsiveness", "Resolution", "Membership", "Events",
                                                       "Deflection"])

    def by_group(self, group: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.group == group]


def spans(period: str, now: datetime) -> list[Span]:
    length = timedelta(days=PERIODS[period])
    return [Span(now - length * (SHOWN - number), now - length * (SHOWN - 1 - number)) for number in range(SHOWN)]


def _share(part: int, whole: int) -> Point:
    return Point(100 * part / whole if whole else None, whole)


def _median(values) -> Point:
    values = list(values)
    return Point(statistics.median(values) if values else None, len(values))


def _p90(values) -> Point:
    values = sorted(values)
    if len(values) < 2:
        return Point(values[0] if values else None, len(values))
    return Point(statistics.quantiles(values, n=10, method="inclusive")[-1], len(values))


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def fewest_for_half(counts) -> int:
    """Answer concentration: the fewest members whose answers make up half of all (or more)."""
    total, running, members = sum(counts), 0, 0
    for count in sorted(counts, reverse=True):
        if running * 2 >= total:
            break
        running += count
        members += 1
    return members


def nps_margin(promoters: int, detractors: int, n: int) -> float | None:
    """The 95 % margin of error of an NPS, in points: 1.96 × sqrt((pP + pD − (pP − pD)²) / n) × 100."""
    if not n:
        return None
    p, d = promoters / n, detractors / n
    return 1.96 * ((p + d - (p - d) ** 2) / n) ** 0.5 * 100


def compute(period: str = "month", now: datetime | None = None) -> Health:
    from ..advocates.models import Programme
    from ..events.models import RSVP, Event, EventHost, SurveyAnswer
    from ..forums.models import Category, Deflection, Post, Topic

    now = aware(now or utcnow())
    shown = spans(period, now)
    start = shown[0].start
    member = User.role == "member"

    # Topics asked by members in the window, with their first response and accepted answer (2 queries).
    answerer = aliased(User)
    accepted = aliased(Post)
    topics = [
        (topic_id, aware(created), questions, aware(solved) if solved else None, role)
        for topic_id, created, questions, solved, role in db.session.execute(
            select(Topic.id, Topic.created_at, Category.kind == "questions", Topic.solved_at, answerer.role)
            .join(Category, Category.id == Topic.category_id).join(User, User.id == Topic.author_id)
            .outerjoin(accepted, accepted.id == Topic.accepted_post_id)
            .outerjoin(answerer, answerer.id == accepted.author_id)
            .where(member, Topic.deleted_at.is_(None), Topic.merged_into_id.is_(None), Topic.created_at >= start))]
    responder = aliased(User)
    ranked = (select(Post.topic_id, Post.created_at, responder.role.label("role"),
                     func.row_number().over(partition_by=Post.topic_id, order_by=(Post.created_at, Post.id))
                     .label("rank"))
              .join(Topic, Topic.id == Post.topic_id).join(responder, responder.id == Post.author_id)
              .where(Post.number > 1, Post.author_id != Topic.author_id, Post.deleted_at.is_(None),
                     Topic.created_at >= start).subquery())
    first = {topic_id: (aware(when), role) for topic_id, when, role in db.session.execute(
        select(ranked.c.topic_id, ranked.c.created_at, ranked.c.role).where(ranked.c.rank == 1))}
    # Accepted answers of the window's solved questions, by whoever asked (staff questions too: a staff member's
    # question answered by a member is still a peer solution), with the answer's author (1 query).
    solver = aliased(User)
    solutions = [(aware(solved), solver_id, role) for solved, solver_id, role in db.session.execute(
        select(Topic.solved_at, accepted.author_id, solver.role).join(accepted, accepted.id == Topic.accepted_post_id)
        .join(solver, solver.id == accepted.author_id)
        .where(Topic.solved_at >= start, Topic.deleted_at.is_(None)))]
    advocates = set(db.session.scalars(select(Programme.user_id).where(Programme.stage == "advocate")))

    # Members' contributions: each member's first two posts ever, and who posted in the window (2 queries).
    ordered = (select(Post.author_id, Post.created_at,
                      func.row_number().over(partition_by=Post.author_id, order_by=(Post.created_at, Post.id))
                      .label("rank"))
               .join(User, User.id == Post.author_id).where(member, Post.deleted_at.is_(None)).subquery())
    firsts: dict[int, list[datetime]] = defaultdict(list)
    for author_id, when in db.session.execute(select(ordered.c.author_id, ordered.c.created_at)
                                              .where(ordered.c.rank <= 2).order_by(ordered.c.rank)):
        firsts[author_id].append(aware(when))
    posting = [(author_id, aware(when)) for author_id, when in db.session.execute(
        select(Post.author_id, Post.created_at).join(User, User.id == Post.author_id)
        .where(member, Post.deleted_at.is_(None), Post.created_at >= start))]
    joined = [aware(when) for (when,) in db.session.execute(
        select(User.created_at).where(member, User.email_verified_at.is_not(None), User.created_at >= start))]

    # Events in the window, their RSVPs by members, earlier check-ins, survey answers (4 queries).
    led = exists().where(EventHost.event_id == Event.id, EventHost.role.in_(("host", "cohost")),
                         EventHost.user_id == User.id, member)
    events = {row.id: row for row in db.session.execute(
        select(Event.id, Event.title, Event.slug, Event.starts_at, Event.ends_at, led.label("member_led"))
        .where(Event.status == "published", Event.cancelled_at.is_(None), Event.starts_at >= start,
               Event.starts_at < now))}
    rsvps = list(db.session.execute(select(RSVP.event_id, RSVP.user_id, RSVP.state).join(User, User.id == RSVP.user_id)
                                    .where(member, RSVP.event_id.in_(list(events))))) if events else []
    first_check_in = dict(db.session.execute(
        select(RSVP.user_id, func.min(Event.starts_at)).join(Event, Event.id == RSVP.event_id)
        .where(RSVP.state == "checked_in").group_by(RSVP.user_id)).all())
    scores = defaultdict(list)
    if events:
        for event_id, score in db.session.execute(select(SurveyAnswer.event_id, SurveyAnswer.score)
                                                  .where(SurveyAnswer.event_id.in_(list(events)))):
            scores[event_id].append(score)

    deflected = [aware(when) for (when,) in db.session.execute(
        select(Deflection.opened_at).join(User, User.id == Deflection.user_id)
        .where(member, Deflection.asked_at.is_(None), Deflection.opened_at >= start))]

    figures = _forum_figures(shown, now, topics, first, solutions, advocates)
    figures += _member_figures(shown, now, firsts, posting, joined)
    figures += _event_figures(shown, now, events, rsvps, first_check_in)
    figures.append(Figure("deflected", "Deflection", "Questions answered before they were asked",
                          "Members who opened a similar solved question suggested while they typed theirs, and did "
                          "not go on to post.", "members",
                          [Point(len(hits := [m for m in deflected if m in span]), len(hits)) for span in shown]))
    backlog, oldest = _backlog(now)
    return Health(period, shown, figures, backlog, oldest, _at_risk(now), _cohorts(now),
                  _event_scores(events, scores, shown[-1]))


def _forum_figures(shown, now, topics, first, solutions, advocates) -> list[Figure]:
    waits = {topic_id: _hours(first[topic_id][0] - created) for topic_id, created, *_ in topics if topic_id in first}
    figures = []

    def per_span(fn):
        return [fn(span) for span in shown]

    def asked(span, older_than=timedelta(0), questions=False):
        return [row for row in topics if row[1] in span and row[1] <= now - older_than and (row[2] or not questions)]

    def waited(span):
        return [waits[row[0]] for row in asked(span) if row[0] in waits]

    def within_a_day(span):
        rows = asked(span, DAY)
        return _share(sum(1 for row in rows if waits.get(row[0], 1e9) <= 24), len(rows))

    figures.append(Figure("first_response_median", "Responsiveness", "Time to first response (median)",
                          "Hours from a member's new topic to the first reply by someone else, for the topics asked "
                          "in the period that got one.", "hours", per_span(lambda span: _median(waited(span)))))
    figures.append(Figure("first_response_p90", "Responsiveness", "Time to first response (90th percentile)",
                          "Nine in ten of the period's answered topics got their first reply within this time.",
                          "hours", per_span(lambda span: _p90(waited(span)))))
    figures.append(Figure("answered_24h", "Responsiveness", "Answered within 24 hours",
                          "Share of the period's topics (those at least a day old) whose first reply came within "
                          "24 hours.", "%", per_span(within_a_day)))
    figures.append(Figure("peer_first_response", "Responsiveness", "First responses by peers",
                          "Share of first replies written by members rather than staff.", "%",
                          per_span(lambda span: _share(
                              sum(1 for row in asked(span) if row[0] in first and first[row[0]][1] == "member"),
                              sum(1 for row in asked(span) if row[0] in first)))))

    def cohort(span):
        rows = asked(span, SOLVED_WITHIN, questions=True)
        return _share(sum(1 for row in rows if row[3] is not None and row[3] - row[1] <= SOLVED_WITHIN), len(rows))

    figures.append(Figure("solved_rate", "Resolution", "Solved rate (cohort at 14 days)",
                          "Share of the questions asked in the period that had an accepted answer within 14 days. "
                          "Questions asked in the last 14 days are not counted yet.", "%", per_span(cohort)))
    to_solution = {row[0]: _hours(row[3] - row[1]) for row in topics if row[2] and row[3] is not None}
    figures.append(Figure("solution_median", "Resolution", "Time to solution (median)",
                          "Hours from a member's question to its accepted answer, for questions solved in the "
                          "period.", "hours",
                          per_span(lambda span: _median(to_solution[row[0]] for row in topics
                                                        if row[0] in to_solution and row[3] in span))))
    figures.append(Figure("solution_p90", "Resolution", "Time to solution (90th percentile)",
                          "Nine in ten of the questions solved in the period were solved within this time.", "hours",
                          per_span(lambda span: _p90(to_solution[row[0]] for row in topics
                                                     if row[0] in to_solution and row[3] in span))))
    figures.append(Figure("peer_solutions", "Resolution", "Peer-solution share",
                          "Share of the period's accepted answers written by members rather than staff.", "%",
                          per_span(lambda span: _share(sum(1 for when, _, role in solutions
                                                           if when in span and role == "member"),
                                                       sum(1 for when, _, _ in solutions if when in span)))))
    figures.append(Figure("advocate_solutions", "Resolution", "Advocate-solution share",
                          "Share of the period's accepted answers written by advocates of the programme.", "%",
                          per_span(lambda span: _share(sum(1 for when, who, _ in solutions
                                                           if when in span and who in advocates),
                                                       sum(1 for when, _, _ in solutions if when in span)))))

    def concentration(span):
        counts = Counter(who for when, who, role in solutions if when in span and role == "member")
        return Point(fewest_for_half(counts.values()) if counts else None, sum(counts.values()))

    figures.append(Figure("concentration", "Resolution", "Answer concentration",
                          "The fewest members who gave half of the period's accepted answers by members: the "
                          "higher, the less the community leans on a few.", "members", per_span(concentration)))
    return figures


def _member_figures(shown, now, firsts, posting, joined) -> list[Figure]:
    def second_within(span):
        starters = [times for times in firsts.values() if times[0] in span and times[0] <= now - SECOND_WITHIN]
        return _share(sum(1 for times in starters if len(times) > 1 and times[1] - times[0] <= SECOND_WITHIN),
                      len(starters))

    return [
        Figure("new_members", "Membership", "New members", "Confirmed accounts opened in the period.", "members",
               [Point(len(hits := [when for when in joined if when in span]), len(hits)) for span in shown]),
        Figure("active_contributors", "Membership", "Active contributors",
               "Members who posted a topic or a reply in the period.", "members",
               [Point(len(hits := {who for who, when in posting if when in span}), len(hits)) for span in shown]),
        Figure("new_contributors", "Membership", "New contributors",
               "Members whose first post ever was in the period.", "members",
               [Point(len(hits := [t for t in firsts.values() if t[0] in span]), len(hits)) for span in shown]),
        Figure("second_contribution", "Membership", "Second contribution within 30 days",
               "Share of the period's new contributors who posted again within 30 days of their first post (those "
               "whose first post is under 30 days old are not counted yet).", "%",
               [second_within(span) for span in shown]),
    ]


def _event_figures(shown, now, events, rsvps, first_check_in) -> list[Figure]:
    by_event = defaultdict(list)
    for event_id, user_id, state in rsvps:
        by_event[event_id].append((user_id, state))
    yes = ("going", "checked_in", "no_show")

    def in_span(span, ended=False):
        return [event for event in events.values() if aware(event.starts_at) in span
                and (not ended or aware(event.ends_at) <= now)]

    def seats(span):
        return [state for event in in_span(span, ended=True) for _, state in by_event[event.id] if state in yes]

    def repeat(span):
        came = {(user_id, aware(event.starts_at)) for event in in_span(span) for user_id, state in by_event[event.id]
                if state == "checked_in"}
        people = {user_id for user_id, _ in came}
        earlier = {user_id for user_id, starts in came if aware(first_check_in[user_id]) < starts}
        return _share(len(earlier), len(people))

    return [
        Figure("rsvps", "Events", "RSVPs", "Members who said they'd come to the period's events (going, then "
               "checked in or not).", "count",
               [Point(sum(1 for e in in_span(span) for _, s in by_event[e.id] if s in yes), len(in_span(span)))
                for span in shown]),
        Figure("attendance", "Events", "Attendance rate", "Share of the seats taken at the period's past events "
               "whose holder was checked in at the door.", "%",
               [_share(sum(1 for s in seats(span) if s == "checked_in"), len(seats(span))) for span in shown]),
        Figure("no_shows", "Events", "No-show rate", "Share of the seats taken at the period's past events whose "
               "holder never came.", "%",
               [_share(sum(1 for s in seats(span) if s != "checked_in"), len(seats(span))) for span in shown]),
        Figure("repeat_attendance", "Events", "Repeat attendance", "Share of the period's attendees who had been "
               "checked in at an earlier event.", "%", [repeat(span) for span in shown]),
        Figure("member_led", "Events", "Member-led events", "Share of the period's events with a member (not "
               "staff) as host or co-host.", "%",
               [_share(sum(1 for e in in_span(span) if e.member_led), len(in_span(span))) for span in shown]),
    ]


def _event_scores(events, scores, span) -> list:
    found = []
    for event in sorted(events.values(), key=lambda e: e.starts_at, reverse=True):
        answers = scores.get(event.id)
        if aware(event.starts_at) in span and answers:
            promoters = sum(1 for s in answers if s >= 9)
            detractors = sum(1 for s in answers if s <= 6)
            n = len(answers)
            found.append((event, promoters, n - promoters - detractors, detractors, n,
                          round(100 * (promoters - detractors) / n), nps_margin(promoters, detractors, n)))
    return found


def _backlog(now: datetime):
    """Open topics by members that nobody else has replied to, by age, and the oldest of them (2 queries)."""
    from ..forums.models import Post, Topic

    other_reply = exists().where(Post.topic_id == Topic.id, Post.number > 1, Post.author_id != Topic.author_id,
                                 Post.deleted_at.is_(None))
    waiting = (select(Topic.id, Topic.title, Topic.slug, Topic.created_at).join(User, User.id == Topic.author_id)
               .where(User.role == "member", Topic.deleted_at.is_(None), Topic.locked_at.is_(None),
                      Topic.merged_into_id.is_(None), ~other_reply))
    ages = []
    for _, low, high in BACKLOG_BUCKETS:
        bounds = [Topic.created_at <= now - DAY * low]
        if high is not None:
            bounds.append(Topic.created_at > now - DAY * high)
        ages.append(func.count().filter(and_(*bounds)).label(f"b{low}"))
    counts = db.session.execute(waiting.with_only_columns(*ages)).one()
    oldest = list(db.session.execute(waiting.order_by(Topic.created_at, Topic.id).limit(20)))
    return [(name, count) for (name, _, _), count in zip(BACKLOG_BUCKETS, counts, strict=True)], oldest


def _at_risk(now: datetime, limit: int = 20) -> list:
    """Members who were among the top quarter of contributors over the 90 days before the last week, and whose
    last post is 7 to 28 days old: silent leaders worth a personal note (2 queries)."""
    from ..forums.models import Post

    basis_start, basis_end = now - timedelta(days=97), now - timedelta(days=7)
    rows = db.session.execute(
        select(Post.author_id, func.count().filter(Post.created_at < basis_end), func.max(Post.created_at))
        .join(User, User.id == Post.author_id)
        .where(User.role == "member", User.suspended_at.is_(None), Post.deleted_at.is_(None),
               Post.created_at >= basis_start).group_by(Post.author_id)).all()
    counted = sorted((count for _, count, _ in rows if count), reverse=True)
    if not counted:
        return []
    threshold = counted[max(0, -(-len(counted) // 4) - 1)]  # the smallest count inside the top quarter
    silent = {author_id: (count, aware(last)) for author_id, count, last in rows
              if count and count >= threshold and now - timedelta(days=28) <= aware(last) <= basis_end}
    if not silent:
        return []
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(silent))))}
    found = [(users[i], count, last) for i, (count, last) in silent.items()]
    return sorted(found, key=lambda row: (-row[1], row[0].id))[:limit]


def _month(day: date, add: int = 0) -> date:
    months = day.year * 12 + day.month - 1 + add
    return date(months // 12, months % 12 + 1, 1)


def _cohorts(now: datetime, count: int = 6) -> list:
    """Monthly cohorts (the last six calendar months that ended): of the members who joined that month, the share
    who came back (a day signed in) in the month after (M+1) and three months after (M+3), once that month is
    over. At most 3 queries a cohort."""
    this_month = _month(now.date())
    months = [_month(this_month, -count + number) for number in range(count)]
    found = []
    for month in months:
        start, end = datetime.combine(month, datetime.min.time(), now.tzinfo), \
            datetime.combine(_month(month, 1), datetime.min.time(), now.tzinfo)
        cohort = (User.role == "member", User.email_verified_at.is_not(None), User.created_at >= start,
                  User.created_at < end)
        joined = db.session.scalar(select(func.count()).select_from(User).where(*cohort))
        shares = []
        for later in (1, 3):
            first_day, after = _month(month, later), _month(month, later + 1)
            if after > now.date() or not joined:  # that month isn't over yet
                shares.append(None)
                continue
            back = db.session.scalar(select(func.count()).select_from(User).where(*cohort, exists().where(
                Visit.user_id == User.id, Visit.day >= first_day, Visit.day < after)))
            shares.append(100 * back / joined)
        found.append((month, joined, *shares))
    return found


