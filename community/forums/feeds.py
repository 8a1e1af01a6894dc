"""Atom 1.0 feeds (feedgen): the latest topics, a category's topics, a topic's posts.

Feeds are built for an anonymous reader whoever asks, so a private topic never reaches a feed that gets shared.
"""

from feedgen.feed import FeedGenerator
from flask import current_app

from ..core.timeutil import aware
from ..core.urls import public_url


def _feed(feed_id: str, title: str, page_url: str, self_url: str, subtitle: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=page_url, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language("en")
    return feed


def topics_feed(topics, title: str, page_url: str, self_url: str) -> bytes:
    community = current_app.config["COMMUNITY_NAME"]
    feed = _feed(self_url, f"{title} · {community}", page_url, self_url, current_app.config["COMMUNITY_TAGLINE"])
    for topic in reversed(topics):  # feedgen prepends: add oldest first so the newest leads
        url = public_url("forums.topic", topic_id=topic.id, slug=topic.slug)
        entry = feed.add_entry()
        entry.id(public_url("forums.topic", topic_id=topic.id))  # never changes, even when the title does
        entry.title(("[Solved] " if topic.is_solved else "") + topic.title)
        entry.link(href=url)
        entry.author(name=topic.author.name)
        entry.published(aware(topic.created_at))
        entry.updated(aware(topic.last_posted_at))
        entry.category(term=topic.category.slug, label=topic.category.name)
    feed.updated(aware(topics[0].last_posted_at) if topics else None)
    return feed.atom_str(pretty=True)


def posts_feed(topic, posts, self_url: str) -> bytes:
    page_url = public_url("forums.topic", topic_id=topic.id, slug=topic.slug)
    feed = _feed(self_url, f"{topic.title} · {current_app.config['COMMUNITY_NAME']}", page_url, self_url,
                 f"Posts in “{topic.title}”")
    for post in posts:
        url = public_url("forums.post", post_id=post.id)
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(f"#{post.number} by {post.author.name}")
        entry.link(href=url)
        entry.author(name=post.author.name)
        entry.published(aware(post.created_at))
        entry.updated(aware(post.edited_at or post.created_at))
        entry.content(post.body_html, type="html")
    feed.updated(aware(topic.last_posted_at))
    return feed.atom_str(pretty=True)
