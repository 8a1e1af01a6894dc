"""Notifications (bell, list, mark read), watching levels, mail preferences, one-click unsubscribe."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...extensions import csrf, db
from .. import mailing, notifications, queries
from . import bp


@bp.route("/notifications")
@login_required
def notifications_page():
    page = queries.notifications(current_user, request.args.get("after"))
    return render_template("forums/notifications.html", page=page, describe=notifications.describe)


@bp.route("/notifications/<id:note_id>/read", methods=["POST"])
@login_required
def read_notification(note_id):
    note = notifications.mark_read(current_user, note_id)
    db.session.commit()
    endpoint, values = notifications.target(note)
    return redirect(url_for(endpoint, **values))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all_notifications():
    count = notifications.mark_all_read(current_user)
    db.session.commit()
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    return redirect(url_for("forums.notifications_page"))


@bp.route("/t/<id:topic_id>/watch", methods=["POST"])
@login_required
def watch_topic(topic_id):
    topic = queries.topic_or_404(topic_id, current_user)
    level = request.form.get("level", "")
    notifications.set_watch(current_user, level, topic=topic)
    db.session.commit()
    flash(f"This topic: {notifications.LEVEL_WORDS[level]}.", "success")
    return redirect(url_for("forums.topic", topic_id=topic.id, slug=topic.slug))


@bp.route("/forums/c/<slug>/watch", methods=["POST"])
@login_required
def watch_category(slug):
    category = queries.category_or_404(slug, current_user)
    level = request.form.get("level", "")
    notifications.set_watch(current_user, level, category=category)
    db.session.commit()
    flash(f"{category.name}: {notifications.LEVEL_WORDS[level]}.", "success")
    back = "forums.welcome" if request.form.get("back") == "welcome" else None
    return redirect(url_for(back) if back else url_for("forums.category", slug=category.slug))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def mail_settings():
    status = 200
    if request.method == "POST":
        choice = request.form.get("email_notifications", "")
        if choice in mailing.PREFERENCES:
            mailing.set_preference(current_user, choice)
            db.session.commit()
            flash("Your mail settings are saved.", "success")
            return redirect(url_for("forums.mail_settings"))
        status = 400
    return render_template("forums/mail_settings.html", preferences=mailing.PREFERENCES, invalid=status == 400,
                           levels=notifications.LEVEL_WORDS), status


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without a form; the signed token is the authority
def unsubscribe(token):
    member = mailing.member_from_token(token)
    if request.method == "POST":
        mailing.set_preference(member, "none")
        db.session.commit()
        return render_template("forums/unsubscribed.html", member=member, done=True)
    return render_template("forums/unsubscribed.html", member=member, done=False, token=token)

