"""Moderator pages and actions: pin, close, delete, restore, the moderator log; move, split and merge topics."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from ...accounts.forms import ChoiceField
from ...core.errors import DomainError
from ...core.forms import refuse
from ...core.permissions import has_role, require
from ...extensions import db
from .. import moderation, queries
from . import bp
from .common import moderated


@bp.route("/t/<id:topic_id>/pin", methods=["POST"])
@login_required
def pin(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    moderation.set_pinned(topic, current_user, request.form.get("pinned") == "1", request.form.get("reason", ""))
    return moderated(topic, "Pinned: it now leads every list." if topic.pinned_at else "Unpinned.")


@bp.route("/t/<id:topic_id>/unlist", methods=["POST"])
@login_required
def unlist(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    moderation.set_unlisted(topic, current_user, request.form.get("unlisted") == "1", request.form.get("reason", ""))
    return moderated(topic, "Unlisted: it left the lists and feeds; its link still works." if topic.unlisted_at
                     else "Listed again: it shows in the lists and feeds.")


@bp.route("/t/<id:topic_id>/close", methods=["POST"])
@login_required
def close(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    moderation.set_closed(topic, current_user, request.form.get("closed") == "1", request.form.get("reason", ""))
    return moderated(topic, "Closed: it takes no new replies." if topic.locked_at else "Reopened for replies.")


@bp.route("/p/<id:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id):
    post = queries.post_or_404(post_id, current_user)
    moderation.delete_post(post, current_user, request.form.get("reason", ""))
    if post.number == 1:
        db.session.commit()
        flash("The topic is deleted. A moderator can restore it.", "success")
        return redirect(url_for("forums.category", slug=post.topic.category.slug))
    return moderated(post.topic, "The post is deleted. A moderator can restore it.")


@bp.route("/p/<id:post_id>/restore", methods=["POST"])
@login_required
def restore_post(post_id):
    post = queries.post_or_404(post_id, current_user)
    moderation.restore_post(post, current_user, request.form.get("reason", ""))
    return moderated(post.topic, "The post is restored.")


@bp.route("/forums/log")
@login_required
def moderator_log():
    require(current_user, "forums.moderate")
    page = queries.moderator_log(request.args.get("after", type=int))
    return render_template("forums/log.html", page=page)


# Move, split, merge ----------------------------------------------------------------------------------------------

KIND_WORDS = {"questions": "questions, with accepted answers", "discussion": "discussion",
              "announcements": "announcements"}
ANSWER_CLEARED = " Its accepted answer is cleared: only questions categories have accepted answers."


class _Replies(SelectMultipleField):
    def pre_validate(self, form):
        if any(number not in {value for value, _ in self.choices} for number in self.data or ()):
            raise ValidationError("Choose replies from the list.")


def _chosen(form, field):
    if not field.data:
        raise StopValidation("Choose at least one reply to move into the new topic.")


_REASON = dict(validators=[Length(max=500, message="Keep the reason under 500 characters.")],
               description="Optional. It goes into the moderator log.")


class MoveForm(FlaskForm):
    category = ChoiceField("Move to", refusal="Choose a category from the list.")
    reason = StringField("Reason", **_REASON)
    submit = SubmitField("Move topic")


class SplitForm(FlaskForm):
    posts = _Replies("Replies to move", coerce=int, validators=[_chosen])
    title = StringField("Title of the new topic", validators=[DataRequired("Give the new topic a title.")],
                        description="15 to 255 characters: one sentence that says what the new topic is about.")
    category = ChoiceField("Category of the new topic", refusal="Choose a category from the list.")
    reason = StringField("Reason", **_REASON)
    submit = SubmitField("Split into a new topic")


class MergeForm(FlaskForm):
    target = StringField("Merge into topic", validators=[DataRequired(
        "Enter the number or address of the topic to merge into.")],
        description="Its number or its address, e.g. 42 or https://…/t/42-its-title.")
    reason = StringField("Reason", **_REASON)
    submit = SubmitField("Merge topics")


def _reorganizing(topic_id, action: str = "forums.split"):
    topic = queries.topic_or_404(topic_id, current_user)
    moderation.may_reorganize(topic, current_user, action)
    return topic


def _categories(field, skip=None) -> dict:
    """The categories a topic may go to: those the mover sees (public ones only for those who are not moderators)."""
    everything = has_role(current_user, "moderator")
    categories = {c.slug: c for c in queries.categories(current_user)
                  if c.id != skip and (everything or c.min_role is None)}
    field.choices = [SelectChoice(c.slug, f"{c.name} ({KIND_WORDS.get(c.kind, c.kind)})") for c in categories.values()]
    return categories


def _page(template, form, topic, **context):
    return render_template(template, form=form, topic=topic, **context), 400 if form.is_submitted() else 200


@bp.route("/t/<id:topic_id>/move", methods=["GET", "POST"])
@login_required
def move(topic_id):
    topic = _reorganizing(topic_id, "forums.recategorise")
    form = MoveForm()
    categories = _categories(form.category, skip=topic.category_id)
    if not form.validate_on_submit():
        return _page("forums/move.html", form, topic)
    solved = topic.is_solved
    try:
        moderation.move_topic(topic, categories[form.category.data], current_user, form.reason.data)
    except DomainError as exc:
        return refuse(form, "forums/move.html", exc, topic=topic)
    cleared = solved and not topic.is_solved
    return moderated(topic, f"The topic is now in {topic.category.name}." + (ANSWER_CLEARED if cleared else ""))


@bp.route("/t/<id:topic_id>/split", methods=["GET", "POST"])
@login_required
def split(topic_id):
    topic = _reorganizing(topic_id)
    replies = moderation.splittable_replies(topic)
    start = request.args.get("from", type=int)  # "Split from here" on a reply ticks it and those after it
    form = SplitForm(category=topic.category.slug, posts=[p.number for p in replies if start and p.number >= start])
    form.posts.choices = [(post.number, f"#{post.number}") for post in replies]
    categories = _categories(form.category)
    if not form.validate_on_submit():
        return _page("forums/split.html", form, topic, replies=replies)
    try:
        new = moderation.split_topic(topic, form.posts.data, form.title.data, categories[form.category.data],
                                     current_user, form.reason.data)
    except DomainError as exc:
        return refuse(form, "forums/split.html", exc, topic=topic, replies=replies)
    return moderated(new, f"The replies you chose are now this topic. “{topic.title}” keeps the rest.")


@bp.route("/t/<id:topic_id>/merge", methods=["GET", "POST"])
@login_required
def merge(topic_id):
    topic = _reorganizing(topic_id, "forums.merge")
    form = MergeForm()
    if not form.validate_on_submit():
        return _page("forums/merge.html", form, topic)
    try:
        target = moderation.merge_topics(topic, form.target.data, current_user, form.reason.data)
    except DomainError as exc:
        return refuse(form, "forums/merge.html", exc, topic=topic)
    return moderated(target, f"“{topic.title}” is merged into this topic: its posts follow this topic's own.")


def topic_or_redirect(topic_id):
    """The topic page's topic, or a 301 to where a merged topic's posts went, for whoever may read both the merged
    topic's category and the target (anyone else gets a 404: the address leads nowhere). No extra query for a topic
    that was never merged."""
    try:
        topic = queries.topic_or_404(topic_id, current_user)
    except NotFound:
        topic = None
    if topic is None or topic.merged_into_id is not None:
        target = moderation.merged_target(topic_id, current_user)
        if target is not None:
            abort(redirect(url_for("forums.topic", topic_id=target.id, slug=target.slug), 301))
    return topic or abort(404)
