"""The demo community that `make run` loads into an empty database. Grows as each area lands."""

from datetime import timedelta

from sqlalchemy import func, select

from .accounts import services as accounts
from .accounts.models import User
from .advocates import demo as advocates_demo
from .core.timeutil import utcnow
from .events import demo as events_demo
from .extensions import db
from .forums import demo as forums_demo

PASSWORD = "harbor-demo-2026"

# (username, display name, role, time zone, bio)
PEOPLE = [
    ("ada", "Ada Okafor", "admin", "Europe/London",
     "I run the community platform at Harbor. Tell me when something here gets in your way."),
    ("maria", "María Torres", "manager", "Europe/Madrid",
     "Community manager. I plan the meetups and the advocate programme — **say hello** at the next one."),
    ("kenji", "Kenji Watanabe", "moderator", "Asia/Tokyo",
     "Moderator and long-time customer. Data pipelines by day, *ramen* by night."),
    ("priya", "Priya Raman", "moderator", "Asia/Kolkata",
     "Moderator. I answer integration questions, mostly about webhooks and SSO."),
    ("lena", "Lena Fischer", "member", "Europe/Berlin", "Operations lead at a logistics firm in Hamburg."),
    ("samuel", "Samuel Mensah", "member", "Africa/Accra", "Building dashboards for a retail chain."),
    ("chloe", "Chloé Martin", "member", "Europe/Paris", "Analyst. I write about forecasting on my blog."),
    ("diego", "Diego Alvarez", "member", "America/Mexico_City", "Data engineer; SQL first, questions later."),
    ("hannah", "Hannah Kim", "member", "America/Los_Angeles", "Product ops. New to Harbor — learning fast."),
    ("tomasz", "Tomasz Nowak", "member", "Europe/Warsaw", "I automate reports so my team can go home early."),
    ("aisha", "Aisha Bello", "member", "Africa/Lagos", "Finance systems. Ask me about month-end close."),
    ("liam", "Liam O'Connor", "member", "Europe/Dublin", "Customer success at a SaaS start-up."),
    ("mei", "Mei Lin", "member", "Asia/Shanghai", "Supply-chain analytics; Python and patience."),
    ("oliver", "Oliver Smith", "member", "Australia/Sydney", "Solo consultant helping small firms with BI."),
    ("sofia", "Sofia Rossi", "member", "Europe/Rome", "Marketing analytics and attribution models."),
    ("noah", "Noah Johnson", "member", "America/New_York", "IT admin. SSO, SCIM and permissions are my thing."),
    ("fatima", "Fatima Zahra", "member", "Africa/Casablanca", "Data steward for a hospital group."),
    ("lucas", "Lucas Silva", "member", "America/Sao_Paulo", "Head of data at an e-commerce shop."),
    ("emma", "Emma Wilson", "member", "America/Chicago", "I teach my colleagues to build their own reports."),
    ("arjun", "Arjun Mehta", "member", "Asia/Kolkata", "Backend developer integrating Harbor's API."),
    ("yuki", "Yuki Sato", "member", "Asia/Tokyo", "Analytics translator: business questions → queries."),
    ("ingrid", "Ingrid Johansson", "member", "Europe/Stockholm", "Sustainability reporting with real data."),
    ("mateo", "Mateo García", "member", "America/Bogota", "Operations analyst, meetup regular in Bogotá."),
    ("grace", "Grace Mwangi", "member", "Africa/Nairobi", "Leading a small analytics team at a fintech."),
    ("felix", "Felix Wagner", "member", "Europe/Vienna", "Excel refugee. Harbor convert since 2024."),
    ("nora", "Nora Haddad", "member", "Asia/Dubai", "Revenue operations; I love a tidy pipeline."),
    ("ethan", "Ethan Brown", "member", "America/Toronto", "Data platform engineer. Terraform everything."),
    ("zara", "Zara Ahmed", "member", "Europe/London", "Customer insights at a subscription business."),
    ("pablo", "Pablo Ruiz", "member", "Europe/Madrid", "Freelance analyst; I co-host the Madrid meetup."),
    ("ines", "Inês Costa", "member", "Europe/Lisbon", "Product analyst. Cohorts, funnels and coffee."),
    ("david", "David Cohen", "member", "Asia/Jerusalem", "Security engineer reviewing our data access."),
    ("amara", "Amara Nwosu", "member", "Europe/London", "Joined this month. Here to learn from all of you!"),
    ("jonas", "Jonas Berg", "member", "Europe/Oslo", "Energy-market analyst, dashboards for traders."),
    ("rosa", "Rosa Jiménez", "member", "America/Lima", "Community-minded analyst; I like a good question."),
]


def load() -> bool:
    """Create the demo people in an empty database; False (and nothing written) when it already has members."""
    if db.session.scalar(select(func.count(User.id))):
        return False
    now = utcnow()
    for username, name, role, zone, bio in PEOPLE:
        user = accounts.create_member(username, f"{username}@harbor.example", PASSWORD, display_name=name,
                                      time_zone=zone, role=role, bio=bio)
        user.email_verified_at = now - timedelta(days=200)
        user.created_at = user.email_verified_at
    forums_demo.load()
    events_demo.load()
    advocates_demo.load()
    db.session.commit()
    return True


def logins() -> list[tuple[str, str]]:
    """The demo accounts to sign in with, one of each role, when the demo is loaded."""
    wanted = [(username, role) for username, _, role, _, _ in PEOPLE if role != "member"] + [("lena", "member")]
    present = set(db.session.scalars(select(User.username).where(User.username.in_([u for u, _ in wanted]))))
    return [(username, role) for username, role in wanted if username in present]
