"""The rules of recognition, in one table: the ledger counts with these numbers, and the public "How recognition
works" page is written from them. Change a number here and both change."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    kind: str
    points: float  # for thanks: times the giver's weight
    what: str  # "your reply accepted as the solution"
    terms: str  # the conditions, as the page states them


RULES = (
    Rule("accepted_answer", 15, "Your reply is accepted as the solution",
         "The asker (or a moderator) accepts it, and the asker isn't you. Taken back if it is un-accepted or "
         "deleted."),
    Rule("thanks", 2, "Someone thanks one of your posts",
         "2 points × the thanker's weight. At most 2 thanks counted per person who thanks you per 30 days; at most "
         "40 points from thanks a day; never from yourself."),
    Rule("welcome", 5, "You were first to answer a newcomer's first question, and it helped",
         "Your reply came first, and it was accepted or thanked: the welcome squad bonus, once per question."),
    Rule("attended", 2, "You were checked in at an event", "A host checks you in at the door; an RSVP alone "
         "earns nothing."),
    Rule("volunteered", 8, "You volunteered at an event", "Confirmed by the event's host."),
    Rule("spoke", 10, "You spoke at an event", "Confirmed by the event's host."),
    Rule("cohosted", 12, "You hosted or co-hosted an event that took place",
         "At least 3 attendees were checked in."),
    Rule("award", 0, "A community manager recognised work off the portal",
         "1 to 50 points, always with the reason, which your ledger shows."),
    Rule("posted", 0, "Posting a topic or a reply", "Volume earns nothing by itself: help that others confirm "
         "does."),
)
BY_KIND = {rule.kind: rule for rule in RULES}

NEW_ACCOUNT_DAYS, NEW_ACCOUNT_POSTS = 14, 3
WEIGHTS = (("new", 0.25, f"an account under {NEW_ACCOUNT_DAYS} days old or with fewer than {NEW_ACCOUNT_POSTS} "
            "posts"), ("trusted", 1.5, "an advocate or a moderator"), ("member", 1.0, "everyone else"))
PAIR_CAP, PAIR_DAYS = 2, 30  # thanks counted per giver → recipient
THANKS_POINTS_PER_DAY = 40
THANKS_PER_DAY = 50  # what a member may give (the forums enforce it)
AWARD_RANGE = (1, 50)

RANKS = (  # (name, lifetime points, accepted answers, distinct askers)
    ("Newcomer", 0, 0, 0), ("Helper", 50, 0, 0), ("Regular", 200, 0, 0), ("Expert", 600, 10, 5),
    ("Guide", 1500, 0, 0), ("Luminary", 4000, 0, 0),
)
