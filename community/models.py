"""Every area's tables, imported in one place so Alembic and the ORM see the whole schema."""

from .accounts.models import User  # noqa: F401
from .core.models import MailMessage, UsedToken  # noqa: F401
from .forums.models import Category, ModeratorAction, Post, Tag, Thanks, Topic  # noqa: F401
