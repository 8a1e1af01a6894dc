"""Forum pages: categories, topic lists, topics, asking, replying, accepted answers, thanks, feeds."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import Unauthorized
from wtforms.fields.choices import SelectChoice

from ...core import text
from ...core.errors import DomainError
from ...core.forms import refuse
from ...core.permissions import require
from ...core.urls import public_url
from ...extensions import db, login_manager
from .. import feeds, notifications, queries, services, similar, trust
from ..forms import AskForm, ReplyForm
from . import bp
from .common import permalink
from .moderation import topic_or_redirect


def _filter():
    name = request.args.get("filter", "latest")
    if name not in queries.FILTERS:
        abort(404)
    if name in queries.SIGNED_IN_FILTERS and not current_user.is_authenticated:
        raise Unauthorized()  # sign in to see your own topics
    return name


@bp.route("/forums/")
def index():
    pinned, page = queries.topic_list(current_user, _filter(), after=request.args.get("after"))
    return render_template("forums/index.html", categories=queries.categories(current_user), pinned=pinned,
                           page=page, filter=_filter(), filters=queries.FILTERS, empty_messages=queries.EMPTY)


@bp.route("/forums/c/<slug>")
def category(slug):
    category = queries.category_or_404(slug, current_user)
    pinned, page = queries.topic_list(current_user, _filter(), category, request.args.get("after"))
    level = notifications.category_levels(current_user).get(category.id) if current_user.is_authenticated else None
    return render_template("forums/category.html", category=category, pinned=pinned, page=page,
                           filter=_filter(), filters=queries.FILTERS, empty_messages=queries.EMPTY,
                           watch_level=level, watch_words=notifications.LEVEL_WORDS)


@bp.route("/forums/ask", methods=["GET", "POST"])
@login_required
def ask():
    require(current_user, "forums.post")
    form = AskForm(category=request.args.get("category"))
    form.category.choices = [SelectChoice(c.slug, c.name) for c in queries.categories(current_user)
                             if services.can_open_topic(current_user, c)]
    if form.is_submitted() and form.similar.data:  # "Check for similar questions": the form back, nothing posted
        return _similar_check(form)
    if not form.validate_on_submit() or form.preview.data:
        preview = text.render(form.body.data) if form.preview.data else None
        status = 400 if form.is_submitted() and not form.preview.data else 200
        return render_template("forums/ask.html", form=form, preview_html=preview), status
    try:
        topic = services.create_topic(current_user, queries.category_or_404(form.category.data, current_user),
                                      form.title.data, form.body.data, (form.tags.data or "").split(","))
    except DomainError as exc:
        return refuse(form, "forums/ask.html", exc, preview_html=None)
    db.session.commit()
    flash("Your topic is posted.", "success")
    return redirect(url_for("forums.topic", topic_id=topic.id, slug=topic.slug))


def _similar_check(form):
    """The ask page as the member left it, with the questions like their title (the step without JavaScript)."""
    if not form.title.validate(form):
        return render_template("forums/ask.html", form=form, preview_html=None), 400
    found = similar.suggestions(form.title.data, current_user)
    return render_template("forums/ask.html", form=form, preview_html=None, suggestions=found)


@bp.route("/forums/similar.json")
@login_required
def similar_questions():
    """Questions like the title being typed, for static/js/similar.js."""
    title = request.args.get("title", "")
    problem = similar.title_problem(title)
    if problem:
        return {"error": problem}, 400
    return {"topics": [{"title": found.title, "url": _suggested_url(found), "solved": found.solved,
                        "answer_excerpt": found.answer_excerpt} for found in similar.suggestions(title, current_user)]}


def _suggested_url(found):
    return url_for("forums.topic", topic_id=found.topic.id, slug=found.topic.slug, via=found.via)


@bp.route("/t/<id:topic_id>")
@bp.route("/t/<id:topic_id>-<slug>")
def topic(topic_id, slug=None):
    topic = topic_or_redirect(topic_id)  # a merged topic's address leads to where its posts went
    if current_user.is_authenticated and similar.came_from_suggestion(request.args.get("via"), current_user, topic):
        similar.record_opened(current_user, topic)  # a question suggested while asking: a deflection, unless they ask
    if slug != topic.slug:  # old or missing slug: one canonical address per topic
        page = request.args.get("page", type=int)
        return redirect(url_for("forums.topic", topic_id=topic.id, slug=topic.slug, page=page), 301)
    return _render_topic(topic, request.args.get("page", 1, type=int),
                         ReplyForm(reply_to=request.args.get("reply_to", type=int)))


@bp.route("/t/<id:topic_id>/reply", methods=["POST"])
@login_required
def reply(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    require(current_user, "forums.post")
    form = ReplyForm()
    if not form.validate_on_submit() or form.preview.data:
        return _topic_with_form(topic, form, text.render(form.body.data) if form.preview.data else None)
    try:
        post = services.post_reply(topic, current_user, form.body.data, reply_to=form.reply_to.data)
    except DomainError as exc:
        form.body.errors = [*form.body.errors, exc.message]
        return _topic_with_form(topic, form, None, exc.status)
    db.session.commit()
    flash("Your reply is posted.", "success")
    return redirect(permalink(post))


@bp.route("/forums/latest.atom")
@bp.route("/forums/c/<slug>.atom")
def topics_feed(slug=None):
    reader = login_manager.anonymous_user()
    category = queries.category_or_404(slug, reader) if slug else None
    pinned, page = queries.topic_list(reader, "latest", category)
    topics = sorted(pinned + page.items, key=lambda t: (t.last_posted_at, t.id), reverse=True)
    page_url = public_url("forums.category", slug=slug) if slug else public_url("forums.index")
    title = category.name if category else "Latest topics"
    return _atom(feeds.topics_feed(topics, title, page_url, public_url(request.endpoint, **request.view_args)))


@bp.route("/t/<id:topic_id>.atom")
def topic_feed(topic_id):
    topic = queries.topic_or_404(topic_id, login_manager.anonymous_user())
    posts = queries.latest_posts(topic)
    return _atom(feeds.posts_feed(topic, posts, public_url("forums.topic_feed", topic_id=topic.id)))


def _atom(body: bytes):
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


@bp.route("/p/<id:post_id>")
def post(post_id):
    return redirect(permalink(queries.post_or_404(post_id, current_user)))


@bp.route("/p/<id:post_id>/accept", methods=["POST"])
@login_required
def accept_answer(post_id):
    post = queries.post_or_404(post_id, current_user)
    services.accept_answer(post.topic, post, current_user)
    db.session.commit()
    thanks_to = "" if post.author_id == current_user.id else f", and {post.author.name} for the help"
    flash(f"Marked as the answer. Thank you for closing the loop{thanks_to}!", "success")
    return redirect(permalink(post))


@bp.route("/t/<id:topic_id>/unaccept", methods=["POST"])
@login_required
def unaccept_answer(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    services.unaccept_answer(topic, current_user)
    db.session.commit()
    flash("The answer is no longer marked as accepted. The question shows as unsolved.", "info")
    return redirect(url_for("forums.topic", topic_id=topic.id, slug=topic.slug))


@bp.route("/p/<id:post_id>/thanks", methods=["POST"])
@login_required
def thank(post_id):
    post = queries.post_or_404(post_id, current_user)
    if request.form.get("undo"):
        services.unthank(post, current_user)
        message = "Your thanks is taken back."
    else:
        services.thank(post, current_user)
        message = f"{post.author.name} will see your thanks."
    db.session.commit()
    flash(message, "success")
    return redirect(permalink(post))


def _render_topic(topic, page, form, preview_html=None, status=200):
    posts, thanked, accepted, pages = queries.topic_page(topic, page, current_user)
    watch = (None, None)
    if current_user.is_authenticated:
        watch = notifications.levels_for(current_user, topic)
        if request.method == "GET":
            trust.record_topic_view(current_user, topic, len(posts), posts[-1].number if posts else 0)
    return render_template("forums/topic.html", topic=topic, posts=posts, thanked=thanked, accepted=accepted,
                           page=page, pages=pages, form=form, preview_html=preview_html, watch=watch,
                           watch_words=notifications.LEVEL_WORDS,
                           can_accept=current_user.is_authenticated and services.can_accept(current_user, topic)
                           ), status


def _topic_with_form(topic, form, preview_html, status=None):
    """The topic's last page with the reply form as the member left it (a preview, or what to fix)."""
    last = queries.page_of(max(topic.highest_post_number, 1))
    return _render_topic(topic, last, form, preview_html, status or (200 if preview_html is not None else 400))


@bp.app_context_processor
def trust_words():
    """Trust levels on any page (profiles show them): their names, and a member's progress to the next one."""
    return {"trust_names": trust.NAMES, "trust_progress": trust.progress}
