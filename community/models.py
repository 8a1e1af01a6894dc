"""Every area's tables, imported in one place so Alembic and the ORM see the whole schema."""

from .accounts.models import User, Visit  # noqa: F401
from .advocates.models import LedgerEntry  # noqa: F401
from .core.models import MailMessage, UsedToken  # noqa: F401
from .events.models import (  # noqa: F401
    RSVP,
    CalendarFeed,
    Chapter,
    ChapterMember,
    Event,
    EventHost,
    EventLog,
    Invitation,
    ReminderSent,
    Series,
    SurveyAnswer,
    Task,
)
from .forums.models import (  # noqa: F401
    Category,
    Flag,
    ModeratorAction,
    Notification,
    Post,
    PostRevision,
    Tag,
    Thanks,
    Topic,
    TopicView,
    Watch,
)
