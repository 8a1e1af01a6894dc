"""Demo forum: five categories and 60+ threads over six months, some solved, some waiting for an answer."""

import random
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from ..accounts import services as accounts
from ..accounts.models import User, Visit
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import editing, flags, moderation, services, trust
from .models import Category, Notification, Post, Topic, TopicView

CATEGORIES = [
    ("Getting started", "getting-started", "questions", "#2347a8", "First steps: accounts, data sources, your first dashboard."),
    ("Integrations", "integrations", "questions", "#7a3fb0", "Connectors, webhooks, the API and single sign-on."),
    ("Billing", "billing", "questions", "#b3541e", "Plans, invoices, seats and payment questions."),
    ("Community", "community", "discussion", "#5a6b7d", "Say hello, share how you use Harbor and talk shop."),
    ("Ideas", "ideas", "discussion", "#11806a", "What would make Harbor better for you? Share it and discuss."),
    ("Announcements", "announcements", "announcements", "#a3202e", "News from the Harbor team. Members reply."),
]
INTRODUCTIONS = (
    "Introduce yourself: who are you and what do you build with Harbor?",
    "New here? Tell us your name, your team and what you hope to learn. We read and answer every introduction, "
    "and we'll point you to the people who know your corner of Harbor.",
    ["Hi all, Lena from Hamburg. I run operations analytics for a logistics firm: route costs, late deliveries, "
     "the lot. Happy to help anyone with shipment data.",
     "Hello! Diego here, data engineer in Mexico City. SQL first, questions later. Looking forward to the meetups.",
     "Hannah, product ops in Los Angeles. I'm new to Harbor and learning fast; thanks for all the answers so far!"],
)
SOURCES = ["Snowflake", "BigQuery", "PostgreSQL", "Redshift", "Salesforce", "HubSpot", "Google Sheets", "MySQL"]

# (category slug, title, body, answers, tags); {s} is replaced by a data source for variety.
THREADS = [
    ("getting-started", "How do I connect {s} as my first data source?",
     "I'm setting up Harbor for my team and want {s} as the first source. The wizard asks for a host and a "
     "service account — which permissions does that account need?",
     ["Give the account read-only access to the schemas you want in Harbor, plus `USAGE` on the warehouse. "
      "Then **Test connection** in the wizard tells you exactly which grant is missing.",
      "Same here — and remember to allow-list Harbor's IP addresses if your {s} is behind a firewall."],
     ["setup", "connectors"]),
    ("getting-started", "Dashboard filters reset when I share a link from {s} data",
     "When I send a dashboard link to a colleague, the date filter is back to *Last 7 days*. Can a link keep "
     "the filters I picked?",
     ["Use **Share → Copy link with filters**. The plain address always opens the saved defaults.",
      "Thanks, that was it!"],
     ["dashboards", "sharing"]),
    ("getting-started", "Best way to model daily revenue from {s}?",
     "Our orders table in {s} has one row per line item. What is the cleanest way to get daily revenue "
     "without double counting discounts?",
     ["Aggregate to one row per order first, then sum per day:\n\n```sql\nselect order_date, sum(order_total)\n"
      "from (select order_id, order_date, max(order_total) as order_total from orders group by 1, 2) o\n"
      "group by 1\n```",
      "I'd add a metric in the semantic layer for it, so every dashboard uses the same definition."],
     ["modeling", "sql"]),
    ("integrations", "Webhook retries stop after 3 tries with {s}",
     "Our endpoint was down for an hour and Harbor stopped retrying the {s} sync webhook after 3 attempts. "
     "Is the retry policy configurable?",
     ["Retries back off for 24 hours in total, but only when your endpoint answers 5xx. A timeout over 10 s "
      "counts as a permanent failure — check the delivery log under **Settings → Webhooks**.",
      "Confirming: our proxy returned 404 during the outage, which Harbor treats as permanent."],
     ["webhooks", "api"]),
    ("integrations", "SSO with Okta: users land on the wrong team",
     "We enabled SAML with Okta. New users sign in fine but all land in the *Default* team. We map the "
     "`department` attribute. What are we missing?",
     ["Team mapping reads the `groups` attribute, not `department`. Add a group attribute statement in Okta "
      "and map it under **Settings → SSO → Team mapping**.",
      "Also turn on *Update teams at every sign-in*, otherwise only new users are mapped."],
     ["sso", "okta"]),
    ("integrations", "API rate limit when exporting {s} reports",
     "Our nightly job exports 400 reports through the API and gets 429 after about 100. What are the limits?",
     ["The API allows 100 requests a minute per token. Use the bulk export endpoint, one request for many "
      "reports, and honour the `Retry-After` header."],
     ["api", "exports"]),
    ("billing", "Can I move seats between workspaces?",
     "We have two workspaces on the Team plan. One has 5 unused seats. Can I move them to the other?",
     ["Seats belong to the organisation, not a workspace, once you switch on *Shared billing* under "
      "**Billing → Organisation**. Then both workspaces draw from one pool."],
     ["seats", "plans"]),
    ("billing", "Invoice shows VAT although we entered our VAT number",
     "Our invoice for this month includes 19% VAT. We are a German company and entered our VAT ID. Why?",
     ["VAT IDs are checked against VIES at renewal. If the check failed that day, VAT is added. Write to "
      "billing with the invoice number and it is reissued.",
      "Same happened to us in March; the reissued invoice came within a day."],
     ["invoices", "vat"]),
    ("getting-started", "Scheduled report emails arrive empty from {s}",
     "Our Monday report from {s} arrives with the charts blank. Opening the dashboard shows data. Any idea?",
     [], ["reports", "email"]),
    ("integrations", "Does the {s} connector support incremental syncs?",
     "Full syncs of our {s} data take four hours. Is there an incremental mode, and how does it pick the "
     "changed rows?",
     [], ["connectors", "performance"]),
    ("ideas", "Dark mode for dashboards shown on office TVs",
     "We show dashboards on TVs around the office. A dark theme would be much easier on the eyes.",
     ["+1, especially for the operations wall.", "Would love a high-contrast option too.",
      "We'd use it on our support floor screens."],
     ["themes", "dashboards"]),
    ("ideas", "Comments on individual chart points",
     "It would help to annotate a spike in a chart (\"campaign launched here\") so everyone sees the context.",
     ["Yes! Today we keep a separate doc for this.", "Annotations shared across dashboards would be ideal."],
     ["charts", "collaboration"]),
]

ANNOUNCEMENTS = [
    ("Community meetups are back: Berlin, Madrid and Bogotá",
     "We are hosting customer meetups again this spring. Sign-ups open in the Events area soon — tell us "
     "which city you'd like next!", ["Hoping for Lisbon next!", "Count me in for Madrid."]),
    ("New: faster dashboards on large datasets",
     "Dashboards on tables over 100 million rows now load up to 3× faster thanks to result caching.",
     ["Noticeably faster for us, thank you!"]),
]


def load(rng: random.Random | None = None) -> int:
    """Create the demo forum; returns how many topics it made. Its history notifies the demo members as it would
    have (recent news unread on the bell), but mails nobody: it happened in the past."""
    rng = rng or random.Random(7)
    members = list(db.session.scalars(select(User).where(User.role == "member").order_by(User.id)))
    staff = list(db.session.scalars(select(User).where(User.role != "member").order_by(User.id)))
    preferences = {user.id: user.email_notifications for user in members + staff}
    for user in members + staff:
        user.email_notifications = "none"
    made = _threads(rng, members, staff)
    _reading(rng, members)
    _moderation(rng, members, staff)
    for user in members + staff:
        user.email_notifications = preferences[user.id]
    _date_notifications()
    return made


def _date_notifications(unread_days: int = 7) -> None:
    """Notifications carry their post's time; those older than a week were read long ago."""
    post_time = select(Post.created_at).where(Post.id == Notification.post_id).scalar_subquery()
    db.session.execute(update(Notification).where(Notification.post_id.is_not(None)).values(created_at=post_time)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Notification).where(Notification.created_at < utcnow() - timedelta(days=unread_days))
                       .values(read_at=Notification.created_at).execution_options(synchronize_session=False))
    unread = (select(func.count(Notification.id))
              .where(Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery())
    db.session.execute(update(User).values(unread_notifications=unread).execution_options(synchronize_session=False))


def _threads(rng, members, staff) -> int:
    categories = {}
    for position, (name, slug, kind, colour, description) in enumerate(CATEGORIES):
        categories[slug] = Category(name=name, slug=slug, kind=kind, colour=colour, description=description,
                                    position=position)
    db.session.add_all(categories.values())
    db.session.flush()
    made = 0
    for round_number, source in enumerate(SOURCES):
        for slug, title, body, answers, tags in THREADS:
            if "{s}" not in title and round_number:
                continue
            _thread(rng, categories[slug], members, title.format(s=source), body.format(s=source),
                    [a.format(s=source) for a in answers], tags, days_ago=rng.randint(1, 180))
            made += 1
    manager = next(u for u in staff if u.role == "manager")
    for title, body, replies in ANNOUNCEMENTS:
        _thread(rng, categories["announcements"], members, title, body, replies, [], rng.randint(5, 60),
                author=manager)
        made += 1
    intro = _thread(rng, categories["community"], members, INTRODUCTIONS[0], INTRODUCTIONS[1], INTRODUCTIONS[2], [],
                    170, author=manager)
    moderation.set_pinned(intro, manager, True)
    return made + 1


def _thread(rng, category, members, title, body, answers, tags, days_ago, author=None):
    author = author or rng.choice(members)
    topic = services.create_topic(author, category, title, body, tags)
    start = utcnow() - timedelta(days=days_ago, minutes=rng.randint(0, 600))
    _backdate(topic.id, 1, start)
    when = start
    replies = []
    for answer in answers:
        replier = rng.choice([m for m in members if m.id != author.id])
        if answer.startswith("Thanks"):
            replier = author
        when = min(when + timedelta(hours=rng.randint(1, 30)), utcnow() - timedelta(minutes=5))
        replies.append(services.post_reply(topic, replier, answer))
        _backdate(topic.id, replies[-1].number, when)
    if category.is_questions and replies and rng.random() < 0.75:
        services.accept_answer(topic, replies[0], author)
        topic.solved_at = min(replies[0].created_at + timedelta(hours=rng.randint(1, 72)), utcnow())
    for reply in replies:
        for thanker in rng.sample(members, rng.randint(0, 4)):
            if thanker.id != reply.author_id:
                thanks = services.thank(reply, thanker)
                thanks.created_at = min(reply.created_at + timedelta(hours=rng.randint(1, 48)), utcnow())
    topic.created_at, topic.last_posted_at = start, when
    return topic


def _moderation(rng, members, staff) -> None:
    """A post edited with a reason (its history has a diff) and a spam reply waiting in the flag queue."""
    manager = next(u for u in staff if u.role == "manager")
    intro = db.session.scalar(select(Post).join(Post.topic).where(Topic.title == INTRODUCTIONS[0], Post.number == 1))
    editing.edit_post(intro, manager, intro.body + "\n\nSay which city you're in: we'll tell you about meetups "
                      "near you.", reason="Mention the meetups")
    spammer = accounts.create_member("growth_guru", "growth.guru@mailinator.example", secrets.token_urlsafe(16),
                                     display_name="Growth Guru", bio="Growth hacking. **DM me** for deals.")
    spammer.email_verified_at = utcnow()
    topic = db.session.scalar(select(Topic).where(Topic.reply_count > 2).order_by(Topic.last_posted_at.desc()))
    spam = services.post_reply(topic, spammer, "Great thread!! Get 10,000 dashboard followers today at "
                               "https://followers.example/harbor — limited offer, DM me.")
    for flagger, kind, note in ((members[0], "spam", ""), (members[3], "other", "Advertising, not an answer.")):
        flags.flag_post(spam, flagger, kind, note)


def _reading(rng, members) -> None:
    """Who read what, on which days: the topic views and visits that trust levels are earned from."""
    topics = list(db.session.execute(select(Topic.id, Topic.created_at, Topic.highest_post_number)))
    views, visits, now = {}, set(), utcnow()
    for number, member in enumerate(members):
        keen = number % 3 == 0  # a third of the members read nearly everything, and come back to it
        share = rng.uniform(0.8, 1.0) if keen else rng.uniform(0.15, 0.6)
        for topic_id, created, posts in rng.sample(topics, int(len(topics) * share)):
            for _ in range(rng.randint(2, 3) if keen else 1):
                day = min((aware(created) + timedelta(days=rng.randint(0, 40))).date(), now.date())
                views[(member.id, topic_id, day)] = posts
                visits.add((member.id, day))
    db.session.add_all(TopicView(user_id=u, topic_id=t, day=d, posts_read=n) for (u, t, d), n in views.items())
    db.session.add_all(Visit(user_id=u, day=d) for u, d in visits)
    counts = select(func.count()).where(TopicView.topic_id == Topic.id).scalar_subquery()
    db.session.execute(update(Topic).values(view_count=counts).execution_options(synchronize_session=False))
    db.session.flush()
    for member in members:
        trust.recompute(member)


def _backdate(topic_id, number, when):
    post = db.session.scalar(select(Post).where(Post.topic_id == topic_id, Post.number == number))
    post.created_at = when
    db.session.flush()



