"""The community manager console: members, health, surveys, moderation, exports."""
