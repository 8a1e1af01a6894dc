"""Peer-support forums: categories, topics, answers that get accepted, thanks, moderation."""
