"""Forum tables: categories, topics, posts, tags, thanks. Counters on topics are denormalized for cheap lists."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db

KINDS = ("questions", "discussion", "announcements")

topic_tags = Table(
    "topic_tags",
    db.metadata,
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#2347a8")
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    position: Mapped[int] = mapped_column(Integer, default=0)
    min_role: Mapped[str | None] = mapped_column(String(20))  # private: only this role and above see it
    topic_count: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def is_questions(self) -> bool:
        return self.kind == "questions"


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)


class Topic(db.Model):
    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_listing", "last_posted_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_poster_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    highest_post_number: Mapped[int] = mapped_column(Integer, default=0)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    pinned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL"))
    solved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # when the answer was accepted
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # "did an answer solve it?"
    unlisted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # out of lists, open by link
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User] = relationship(foreign_keys=[last_poster_id])
    tags: Mapped[list[Tag]] = relationship(secondary=topic_tags, order_by=Tag.name)
    accepted_post: Mapped["Post | None"] = relationship(foreign_keys=[accepted_post_id], viewonly=True)

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1 is the question / opening post
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    reply_to_number: Mapped[int | None] = mapped_column(Integer)  # the post (by number) this one answers
    thanks_count: Mapped[int] = mapped_column(Integer, default=0)
    first_of_author: Mapped[bool] = mapped_column(default=False, server_default="0")  # "first post: say hello"
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id])
    author: Mapped[User] = relationship()


class Thanks(db.Model):
    __tablename__ = "thanks"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ModeratorAction(db.Model):
    """The moderator log: who did what to which topic or post, when, and why."""

    __tablename__ = "moderator_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    actor: Mapped[User] = relationship()
    topic: Mapped[Topic | None] = relationship()


class PostRevision(db.Model):
    """Every version of a post: number 1 is the original. A topic's opening post also keeps the title."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    editor: Mapped[User] = relationship()


class TopicView(db.Model):
    """A member read a topic on a day: the basis of "topics entered", "posts read" and reading time."""

    __tablename__ = "topic_views"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    posts_read: Mapped[int] = mapped_column(Integer, default=0)


WATCH_LEVELS = ("watching", "tracking", "normal", "muted")


class Watch(db.Model):
    """A member's watching level for one topic or one category (exactly one of the two)."""

    __tablename__ = "watches"
    __table_args__ = (
        UniqueConstraint("user_id", "topic_id", name="uq_watches_user_topic"),
        UniqueConstraint("user_id", "category_id", name="uq_watches_user_category"),
        CheckConstraint("(topic_id IS NULL) <> (category_id IS NULL)", name="one_target"),
        Index("ix_watches_topic", "topic_id", "level"),
        Index("ix_watches_category", "category_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    last_read_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # topic watches: read up to
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notification(db.Model):
    """Something a member should know about. Thanks on one post are batched into one unread row (`others`)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user", "user_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # reply, mention, watched, accepted, thanks, flagged, reminder
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    others: Mapped[int] = mapped_column(Integer, default=0)  # "Ana and 3 others thanked your post"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # immediate mail or digest

    topic: Mapped[Topic | None] = relationship()
    post: Mapped[Post | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


FLAG_KINDS = {"off_topic": "Off-topic", "inappropriate": "Inappropriate", "spam": "Spam",
              "other": "Something else"}


class Flag(db.Model):
    """A member flagged a post. Score = 1 + the flagger's trust level (staff 5); resolved by a moderator."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    flagger_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Float)
    post_revision: Mapped[int] = mapped_column(Integer, default=1)  # the same flag may repeat once the post changed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(10))  # agreed, disagreed, dismissed

    post: Mapped[Post] = relationship()
    flagger: Mapped[User] = relationship(foreign_keys=[flagger_id])


class Deflection(db.Model):
    """An asker opened a similar question suggested while they typed theirs. It counts as a deflection (the answer
    was already there) unless the same member went on to post a topic within the hour (`asked_at`)."""

    __tablename__ = "deflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
