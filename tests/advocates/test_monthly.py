"""New Member of the Month: young accounts only, help over volume, two a month, once."""

from datetime import timedelta

from community.advocates import monthly
from community.extensions import db
from community.forums import services as forums
from tests.advocates.test_ledger import seasoned
from tests.factories import make_member, make_reply, make_topic


def test_the_two_most_thanked_new_members_are_chosen_once_a_month(app, runner):
    topic = make_topic(seasoned("asker"))
    helpful, chatty, quiet = make_member("helpful"), make_member("chatty"), make_member("quiet")
    veteran = make_member("veteran")
    veteran.created_at -= timedelta(days=90)
    db.session.commit()
    fans = [seasoned(f"fan{n}x") for n in range(4)]
    answer = make_reply(topic, helpful)
    for fan in fans:
        forums.thank(answer, fan)
    noise = [make_reply(topic, chatty, body=f"Me too, number {n}, with enough text.") for n in range(12)]
    for fan, post in zip(fans, noise, strict=False):
        forums.thank(post, fan)  # as many thanks, over many more posts
    quiet_answer = make_reply(topic, quiet)
    for fan in fans[:2]:
        forums.thank(quiet_answer, fan)  # 2 thanks for 1 post beats 4 for 12
    old = make_reply(topic, veteran)
    for fan in fans:
        forums.thank(old, fan)
    db.session.commit()
    ranked = [member.username for member, _ in monthly.candidates()]
    assert ranked == ["helpful", "quiet", "chatty"]  # the veteran is no new member; volume doesn't win
    result = runner.invoke(args=["advocates", "member-of-the-month"])
    assert "New Members of the Month: helpful, quiet." in result.output
    again = runner.invoke(args=["advocates", "member-of-the-month"])
    assert "Nobody new chosen" in again.output
    from community.advocates import celebrations

    chosen = {c.member.username for c in celebrations.shown() if "New Member of the Month" in c.text}
    assert chosen == {"helpful", "quiet"}
