"""Trust levels: reading and visits recorded, promotions at the exact thresholds, the TL3 grace, staff-set levels,
and the new-member limits through the real pages."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from community.accounts.models import User, Visit
from community.core.errors import Invalid, NotAllowed, TooMany
from community.core.timeutil import aware, local, utcnow
from community.extensions import db
from community.forums import trust
from community.forums.models import Flag, Post, Thanks, Topic, TopicView
from tests.factories import make_category, make_member, make_reply, make_topic

DAY = timedelta(days=1)
QUESTION = {"category": "questions", "title": "How do I connect my warehouse?",
            "body": "I tried the wizard but it times out after a minute."}


# Helpers: history written straight into the tables, aged as needed ------------------------------------------------

def topics(count, author=None, at=None, category=None):
    author = author or make_member()
    at = at or utcnow() - 300 * DAY
    rows = [{"category_id": (category or make_category()).id, "author_id": author.id, "title": f"Topic {i}",
             "slug": f"topic-{i}", "created_at": at, "last_posted_at": at, "last_poster_id": author.id}
            for i in range(count)]
    ids = list(db.session.scalars(insert(Topic).returning(Topic.id), rows))
    db.session.commit()
    return ids


def posts(rows):
    """rows: (topic_id, number, author, created_at) → post ids."""
    values = [{"topic_id": t, "number": n, "author_id": a.id, "body": "A post with enough words in it.",
               "body_html": "<p>A post with enough words in it.</p>", "created_at": at} for t, n, a, at in rows]
    ids = list(db.session.scalars(insert(Post).returning(Post.id), values))
    db.session.commit()
    return ids


def add(model, rows):
    if rows:
        db.session.execute(insert(model), rows)
    db.session.commit()


def spread(total, parts):
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def reading(member, count, posts_read, every, days_ago=3):
    """`count` topics entered, `posts_read` posts read (each topic's best day) and `every` posts read in all
    (re-reading on a second day), so reading time is every × 20 s."""
    ids = topics(count)
    first, again = spread(posts_read, count), spread(every - posts_read, count)
    assert all(b <= a for a, b in zip(first, again, strict=True))
    day = (utcnow() - days_ago * DAY).date()
    add(TopicView, [{"user_id": member.id, "topic_id": t, "day": day - i * DAY, "posts_read": n}
                    for i, reads in enumerate((first, again)) for t, n in zip(ids, reads, strict=True) if n])


def visits(member, days, start=1):
    today = utcnow().date()
    add(Visit, [{"user_id": member.id, "day": today - (start + i) * DAY} for i in range(days)])


def level(member):
    db.session.expire_all()
    return db.session.get(User, member.id).trust_level


# Recording ------------------------------------------------------------------------------------------------------

def test_reading_a_topic_records_one_row_a_day_with_the_most_posts_seen_and_one_view_a_day(client, login, app):
    topic = make_topic()
    make_reply(topic)
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)  # anonymous readers are not recorded
    assert db.session.scalar(select(func.count()).select_from(TopicView)) == 0
    reader = make_member("reader")
    login("reader")
    client.get(url)
    client.get(url)
    row = db.session.scalars(select(TopicView)).one()
    assert (row.user_id, row.topic_id, row.day, row.posts_read) == (reader.id, topic.id, utcnow().date(), 2)
    make_reply(topic)
    client.get(url)
    db.session.expire_all()
    assert db.session.scalars(select(TopicView)).one().posts_read == 3
    assert db.session.get(Topic, topic.id).view_count == 1
    trust.record_topic_view(reader, topic, 1)  # fewer posts on a later look: the day keeps its most
    db.session.commit()
    db.session.execute(update(TopicView).values(day=utcnow().date() - DAY))  # that was yesterday
    db.session.commit()
    client.get(url)
    db.session.expire_all()
    assert [r.posts_read for r in db.session.scalars(select(TopicView).order_by(TopicView.day))] == [3, 3]
    assert db.session.get(Topic, topic.id).view_count == 2


def test_a_visit_is_recorded_once_a_day_and_costs_no_query_on_a_day_already_recorded(client, login, count_queries,
                                                                                     app):
    member = make_member("lena")
    login("lena")  # signing in counts the day
    assert [v.day for v in db.session.scalars(select(Visit))] == [utcnow().date()]
    with count_queries() as counter:
        client.get("/forums/")
    assert not [s for s in counter.statements if "user_visits" in s or s.lstrip().startswith("UPDATE users")]
    db.session.execute(update(Visit).values(day=utcnow().date() - DAY))  # she was last here yesterday
    db.session.execute(update(User).where(User.id == member.id).values(last_seen_at=utcnow() - DAY))
    db.session.commit()
    client.get("/forums/")
    client.get("/")
    days = sorted(v.day for v in db.session.scalars(select(Visit)))
    assert days == [utcnow().date() - DAY, utcnow().date()]
    db.session.expire_all()
    assert aware(db.session.get(User, member.id).last_seen_at).date() == utcnow().date()


def test_the_second_view_of_a_topic_in_a_day_costs_no_more_queries_than_the_first(client, login, count_queries,
                                                                                   app):
    topic = make_topic()
    make_reply(topic)
    make_member("reader")
    login("reader")

    def view():
        with count_queries() as counter:
            assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200
        return counter.count

    first = view()
    assert view() <= first


# Promotion ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("entered, read, every, seconds, promoted", [
    (5, 30, 30, 20, True),  # 5 topics, 30 posts, 30 × 20 s = 10 minutes
    (4, 30, 30, 20, False),  # a topic short
    (5, 29, 30, 20, False),  # a post short (10 minutes read all the same)
    (5, 30, 30, 19, False),  # 9.5 minutes
])
def test_basic_needs_5_topics_30_posts_and_10_minutes(app, entered, read, every, seconds, promoted):
    app.config["FORUM_READING_SECONDS_PER_POST"] = seconds
    member = make_member()
    reading(member, entered, read, every)
    assert trust.recompute(member) == (1 if promoted else 0)
    db.session.commit()
    assert level(member) == (1 if promoted else 0)


def member_activity(member, *, entered=20, read=100, every=180, days=15, given=1, received=1, replied=3):
    reading(member, entered, read, every)
    visits(member, days)
    other = make_member()
    theirs = topics(3, other, utcnow() - 5 * DAY)
    opening = posts([(t, 1, other, utcnow() - 5 * DAY) for t in theirs])
    mine = posts([(t, 2, member, utcnow() - 4 * DAY) for t in theirs[:replied]] + [(theirs[0], 3, member, utcnow())])
    add(Thanks, [{"post_id": p, "user_id": member.id} for p in opening[:given]]
        + [{"post_id": p, "user_id": other.id} for p in mine[:received]])


@pytest.mark.parametrize("short", [None, "entered", "read", "every", "days", "given", "received", "replied"])
def test_member_needs_every_tl2_figure_and_one_short_stays_basic(app, short):
    figures = {"entered": 20, "read": 100, "every": 180, "days": 15, "given": 1, "received": 1, "replied": 3}
    if short:
        figures[short] -= 1
    member = make_member()
    member.trust_level = 1
    db.session.commit()
    member_activity(member, **figures)
    trust.recompute(member)
    db.session.commit()
    assert level(member) == (1 if short else 2)
    if short is None:
        assert trust.progress(db.session.get(User, member.id))[0].label == "Days visited in the last 100 days"


def test_progress_names_each_requirement_with_have_and_need(app):
    member = make_member()
    reading(member, 5, 12, 12)
    rows = trust.progress(member)
    assert [tuple(r) for r in rows] == [("Topics entered", 5, 5, True), ("Posts read", 12, 30, False),
                                        ("Minutes spent reading", 4, 10, False)]


def test_a_new_member_who_has_read_enough_is_basic_as_soon_as_they_post(app):
    member = make_member()
    reading(member, 5, 30, 30)
    make_reply(make_topic(), member)
    assert level(member) == 1


def regular_activity(member, *, days=50, thankers=5, flagged=0, now=None):
    """Every TL3 figure exactly met: 210 topics and 640 posts read, 10 recent topics of 40 posts (all read), replies
    in all 10, 50 days visited, 30 thanks given, 20 received from 5 people on 8 days."""
    now = now or utcnow()
    other, category = make_member(), make_category()
    old = topics(200, other, now - 300 * DAY, category)
    recent = topics(10, other, now - 10 * DAY, category)
    add(TopicView, [{"user_id": member.id, "topic_id": t, "day": (now - 150 * DAY).date(), "posts_read": 3}
                    for t in old] + [{"user_id": member.id, "topic_id": t, "day": (now - 5 * DAY).date(),
                                      "posts_read": 4} for t in recent])
    others = posts([(t, n, other, now - 9 * DAY) for t in recent for n in (1, 2, 3)])
    mine = posts([(t, 4, member, now - 8 * DAY) for t in recent])
    visits(member, days)
    people = [make_member() for _ in range(thankers)]
    add(Thanks, [{"post_id": p, "user_id": member.id, "created_at": now - 3 * DAY} for p in others]
        + [{"post_id": mine[i % 10], "user_id": people[(i + i // 10) % thankers].id,
            "created_at": now - (1 + i % 8) * DAY} for i in range(20)])
    add(Flag, [{"post_id": mine[i], "flagger_id": make_member().id, "kind": "spam", "score": 1.0,
                "created_at": now - 2 * DAY, "resolution": "agreed"} for i in range(flagged)])


@pytest.mark.parametrize("short, promoted", [({}, True), ({"days": 49}, False), ({"thankers": 4}, False),
                                              ({"flagged": 5}, True), ({"flagged": 6}, False)])
def test_regular_needs_the_hundred_day_figures(app, short, promoted):
    member = make_member()
    member.trust_level = 2
    db.session.commit()
    regular_activity(member, **short)
    assert trust.recompute(member) == (3 if promoted else 2)
    rows = trust.requirements(3, trust.Figures(member))
    assert all(r.met for r in rows) == promoted
    assert ("Topics read of those opened in the last 100 days", 10, 3, True) in rows  # 25 % of 10 new topics


def test_recompute_costs_a_fixed_number_of_queries_however_much_history(app, count_queries):
    few, many = make_member(), make_member()
    few.trust_level = many.trust_level = 2
    db.session.commit()
    reading(few, 2, 4, 4)
    regular_activity(many)
    counts = []
    for member in (few, many):
        with count_queries() as counter:
            trust.recompute(member)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 8


def test_a_regular_below_90_percent_keeps_tl3_for_14_days_then_is_a_member_again(app):
    start = utcnow()
    member = make_member()
    member.trust_level = 3
    db.session.commit()
    regular_activity(member, days=45, now=start)  # 45 of 50 days: exactly 90 %, kept
    assert trust.recompute(member, start) == 3 and member.trust_grace_until is None
    db.session.execute(delete(Visit).where(Visit.day == (start - 45 * DAY).date()))  # 44 days: below 90 %
    assert trust.recompute(member, start) == 3
    assert aware(member.trust_grace_until) == start + 14 * DAY
    assert trust.recompute(member, start + 13 * DAY) == 3  # 13 days below: still a Regular
    visits(member, 1, start=0)  # back at 45 days: the grace ends
    assert trust.recompute(member, start) == 3 and member.trust_grace_until is None
    db.session.execute(delete(Visit).where(Visit.day == start.date()))
    trust.recompute(member, start)
    assert trust.recompute(member, start + 14 * DAY) == 2 and member.trust_grace_until is None
    db.session.commit()
    assert level(member) == 2


# Staff-set levels ------------------------------------------------------------------------------------------------

def test_staff_grant_leader_which_stays_locked_and_can_be_given_back_to_activity(app, runner):
    admin, manager = make_member(role="admin"), make_member(role="manager")
    member = make_member()
    assert trust.grant_trust_level(member, 4, by=manager) == 4
    db.session.commit()
    assert member.trust_level_locked
    assert trust.recompute(member) == 4  # no activity at all, and still a Leader
    assert "unchanged" in runner.invoke(args=["forums", "trust"]).output
    assert level(member) == 4
    member = db.session.get(User, member.id)
    reading(member, 5, 30, 30)
    assert trust.grant_trust_level(member, None, by=admin) == 1 and not member.trust_level_locked
    trust.grant_trust_level(member, 0, by=admin)  # held back by hand: activity no longer moves it
    assert trust.recompute(member) == 0 and member.trust_level_locked


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_cannot_set_trust_levels(app, role):
    member, by = make_member(), make_member(role=role)
    with pytest.raises(NotAllowed):
        trust.grant_trust_level(member, 4, by=by)
    with pytest.raises(Invalid):
        trust.grant_trust_level(member, 5, by=make_member(role="admin"))
    assert member.trust_level == 0 and not member.trust_level_locked


def test_the_trust_command_promotes_demotes_and_says_how_many(app, runner):
    reader, regular = make_member(), make_member()
    reading(reader, 5, 30, 30)
    regular.trust_level, regular.trust_grace_until = 3, utcnow() - DAY  # below 90 % for 14 days and more
    db.session.commit()
    result = runner.invoke(args=["forums", "trust"])
    assert result.exit_code == 0, result.output
    members = db.session.scalar(select(func.count()).select_from(User))
    assert f"Promoted 1, demoted 1, unchanged {members - 2}." in result.output
    assert (level(reader), level(regular)) == (1, 2)


# New-member limits, through the pages ----------------------------------------------------------------------------

def basic(username, **kw):
    member = make_member(username, **kw)
    member.trust_level = 1
    db.session.commit()
    return member


def age(model, where, **values):
    db.session.execute(update(model).where(where).values(**values))
    db.session.commit()


def reply(client, topic, body):
    return client.submit(f"/t/{topic.id}/reply", {"body": body}, page=f"/t/{topic.id}-{topic.slug}")


def replies_by(member):
    return db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == member.id))


LINKS = "See [one](https://a.example.com), [two](https://b.example.com) and https://c.example.com for the details."
MENTIONS = "Could @ana_m, @bruno and @chloe look at this? `@property` in code is no mention."


@pytest.mark.parametrize("body, limit", [
    (LINKS, "New members can include up to 2 links in a post; this one has 3."),
    (MENTIONS, "New members can mention up to 2 people in a post; this one mentions 3."),
])
def test_a_new_members_post_with_too_many_links_or_mentions_is_refused_and_kept(client, login, app, body, limit):
    topic = make_topic()
    newcomer = make_member("newcomer")
    login("newcomer")
    response = reply(client, topic, body)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and limit in page
    assert "It lifts at trust level 1 (Basic): topics entered 1 of 5, posts read 1 of 30" in page
    assert body.split()[0] in page and ("c.example.com for the details" in page or "@chloe look at this" in page)
    assert replies_by(newcomer) == 0
    basic("trusted")
    client.submit("/account/logout", page="/")
    login("trusted")
    assert reply(client, topic, body).status_code == 302


def test_nobody_mentions_more_than_ten_people_in_a_post(client, login, app):
    topic = make_topic()
    member = basic("trusted")
    login("trusted")
    body = "Paging " + ", ".join(f"@person{i}" for i in range(11)) + "."
    response = reply(client, topic, body)
    assert response.status_code == 400 and "A post can mention up to 10 people; this one mentions 11." in \
        response.get_data(as_text=True)
    assert replies_by(member) == 0


def test_a_new_member_posts_three_replies_in_a_row_in_someone_elses_topic(client, login, app):
    topic = make_topic()
    newcomer = make_member("newcomer")
    for _ in range(3):
        make_reply(topic, newcomer)
    age(Post, Post.author_id == newcomer.id, created_at=utcnow() - timedelta(hours=1))
    login("newcomer")
    response = reply(client, topic, "And one more thought on the same subject.")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "New members can post up to 3 replies in a row" in page
    assert "once another member has replied" in page and "And one more thought on the same subject." in page
    assert replies_by(newcomer) == 3
    make_reply(topic)  # someone answers: the newcomer may go on
    assert reply(client, topic, "Thanks, that one more thought is answered.").status_code == 302


def test_a_new_member_opens_three_topics_on_their_first_day_and_is_told_when_the_fourth_is_possible(
        client, login, app):
    make_category()
    newcomer = make_member("newcomer", time_zone="Europe/Paris")
    for _ in range(3):
        make_topic(newcomer)
    age(Topic, Topic.author_id == newcomer.id, created_at=utcnow() - timedelta(hours=1))
    login("newcomer")
    response = client.submit("/forums/ask", QUESTION)
    page = response.get_data(as_text=True)
    lifts = local(aware(newcomer.created_at) + DAY, "Europe/Paris")
    assert response.status_code == 429
    assert "In their first day, new members can open up to 3 topics." in page
    assert f"You can open another from {lifts:%-d %B at %H:%M} (Europe/Paris)" in page
    assert "I tried the wizard but it times out after a minute." in page
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 3
    age(User, User.id == newcomer.id, created_at=utcnow() - 2 * DAY)  # a day later the limit is gone
    assert client.submit("/forums/ask", QUESTION).status_code == 302


def test_a_new_member_posts_ten_replies_on_their_first_day(client, login, app):
    newcomer = make_member("newcomer")
    for _ in range(10):
        make_reply(make_topic(), newcomer)
    age(Post, Post.author_id == newcomer.id, created_at=utcnow() - timedelta(hours=1))
    topic = make_topic()
    login("newcomer")
    response = reply(client, topic, "Here is my eleventh reply of the day.")
    assert response.status_code == 429
    assert "In their first day, new members can post up to 10 replies." in response.get_data(as_text=True)
    assert replies_by(newcomer) == 10
    age(User, User.id == newcomer.id, trust_level=1)
    assert reply(client, topic, "Here is my eleventh reply of the day.").status_code == 302


@pytest.mark.parametrize("level_, ago, status, sentence", [
    (0, 60, 429, "New members wait 2 minutes between topics."),
    (1, 60, 302, None),
    (1, 10, 429, "Members wait 15 seconds between topics."),
])
def test_time_between_topics(client, login, app, level_, ago, status, sentence):
    make_category()
    member = make_member("writer", time_zone="America/New_York")
    make_topic(member)
    age(Topic, Topic.author_id == member.id, created_at=utcnow() - timedelta(seconds=ago))
    age(User, User.id == member.id, trust_level=level_)
    login("writer")
    response = client.submit("/forums/ask", QUESTION)
    assert response.status_code == status
    if sentence:
        last = aware(db.session.scalar(select(Topic.created_at)))
        wait = 120 if level_ == 0 else 15
        when = local(last + timedelta(seconds=wait), "America/New_York")
        assert f"{sentence} You can open the next one from {when:%H:%M:%S} (America/New_York)." in \
            response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Topic)) == 1


@pytest.mark.parametrize("level_, role, ago, status", [
    (0, "member", 20, 429), (1, "member", 20, 302), (1, "member", 3, 429), (0, "moderator", 0, 302)])
def test_time_between_posts(client, login, app, level_, role, ago, status):
    topic = make_topic()
    member = make_member("writer", role=role)
    make_reply(make_topic(), member)
    age(Post, Post.author_id == member.id, created_at=utcnow() - timedelta(seconds=ago))
    age(User, User.id == member.id, trust_level=level_)
    login("writer")
    response = reply(client, topic, "A quick follow-up with enough words.")
    assert response.status_code == status
    if status == 429:
        page = response.get_data(as_text=True)
        sentence = "New members wait 30 seconds" if level_ == 0 else "Members wait 5 seconds"
        assert f"{sentence} between posts. You can post again from" in page
        assert "A quick follow-up with enough words." in page and replies_by(member) == 1


def test_the_limits_follow_the_configuration(client, login, app):
    app.config["FORUM_NEW_MEMBER_LIMITS"] = {"links_per_post": 3}
    topic = make_topic()
    make_member("newcomer")
    login("newcomer")
    assert reply(client, topic, LINKS).status_code == 302


def test_seeding_outside_a_request_passes_the_limits_by_unless_asked(app):
    from community.forums import services

    topic = make_topic()
    newcomer = make_member()
    assert services.post_reply(topic, newcomer, LINKS).number == 2  # the demo and imports write history freely
    with pytest.raises(TooMany, match="up to 2 links"):
        services.post_reply(topic, newcomer, LINKS, limits=True)
