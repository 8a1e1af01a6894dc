"""The search form: plain words with filters typed in the box (`tag:`, `in:`, `author:`/`@user`, `is:`, `kind:`,
`order:`) or chosen with the form's controls. A control that is set wins over the same filter typed in the box."""

import re
from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

KINDS = {
    "topics": "topic", "topic": "topic", "questions": "topic",
    "posts": "post", "post": "post", "replies": "post", "answers": "post",
    "events": "event", "event": "event",
    "members": "member", "member": "member", "people": "member",
}
STATUSES = {"solved": True, "unsolved": False}
ORDERS = ("relevance", "newest")
MAX_PAGE = 500
_FILTER = re.compile(r'(?<!\S)(?:(tag|in|category|author|by|is|kind|order):("[^"]*"|\S*)|@([\w.-]+))', re.I)
SYNTAX = ("Filters: tag:name, in:category, author:name or @name, is:solved or is:unsolved, "
          "kind:topics, posts, events or members, order:newest.")


@dataclass
class Ask:
    """A search as the member asked it."""

    words: str = ""
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    author: str | None = None
    solved: bool | None = None
    kind: str | None = None
    newest: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.words or self.tags or self.category or self.author or self.kind or self.solved is not None)


def parse(text: str) -> Ask:
    """Split the box's text into words and filters; unknown filter values become errors, not guesses."""
    ask = Ask()

    def take(match: re.Match) -> str:
        name, value, at = (match.group(1) or "").lower(), (match.group(2) or "").strip('"').strip(), match.group(3)
        if at:
            ask.author = at
        elif not value:
            ask.errors.append(f"“{name}:” needs a value after the colon. {SYNTAX}")
        elif name == "tag":
            ask.tags.append(value.lower())
        elif name in ("in", "category"):
            ask.category = value.lower()
        elif name in ("author", "by"):
            ask.author = value.lstrip("@")
        elif name == "is" and value.lower() in STATUSES:
            ask.solved = STATUSES[value.lower()]
        elif name == "kind" and value.lower() in KINDS:
            ask.kind = KINDS[value.lower()]
        elif name == "order" and value.lower() in ORDERS:
            ask.newest = value.lower() == "newest"
        else:
            ask.errors.append(f"“{name}:{value}” is not a filter this search knows. {SYNTAX}")
        return " "

    ask.words = " ".join(_FILTER.sub(take, text).split())
    return ask


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField("Search for", validators=[Optional()])
    kind = SelectField("Show", choices=[
        SelectChoice("", "Everything"), SelectChoice("topics", "Topics"), SelectChoice("posts", "Replies"),
        SelectChoice("events", "Events"), SelectChoice("members", "Members")], validators=[Optional()])
    category = SelectField("Category", choices=[SelectChoice("", "Any category")], validators=[Optional()])
    tag = StringField("Tag", validators=[Optional()])
    author = StringField("Author", validators=[Optional()])
    status = SelectField("Status", choices=[
        SelectChoice("", "Any"), SelectChoice("solved", "Solved"), SelectChoice("unsolved", "Unsolved")],
        validators=[Optional()])
    order = SelectField("Order", choices=[
        SelectChoice("relevance", "Most relevant"), SelectChoice("newest", "Newest first")], validators=[Optional()])
    page = IntegerField("Page", validators=[Optional(), NumberRange(1, MAX_PAGE)])

    def link_args(self) -> dict[str, str]:
        """The search's own arguments, for links to its other pages and to "did you mean" (never whatever else the
        address carried: url_for would read `endpoint` or `_anchor` as its own)."""
        names = ("q", "kind", "category", "tag", "author", "status", "order")
        return {name: str(getattr(self, name).data) for name in names if getattr(self, name).data}

    def ask(self) -> Ask:
        """The box's filters, overridden by the controls that are set."""
        ask = parse(self.q.data or "")
        if self.kind.data:
            ask.kind = KINDS[self.kind.data]
        if self.category.data:
            ask.category = self.category.data
        if (self.tag.data or "").strip():
            ask.tags = [tag.lower().lstrip("#") for tag in self.tag.data.replace(",", " ").split()]
        if (self.author.data or "").strip():
            ask.author = self.author.data.strip().lstrip("@")
        if self.status.data:
            ask.solved = STATUSES[self.status.data]
        if self.order.data == "newest":
            ask.newest = True
        return ask
