"""Every events page, as each kind of visitor sees it (and with a form's errors): valid HTML with one h1."""

import re
from datetime import timedelta

from community.events import organising, rsvps
from community.extensions import db
from tests.checkers import nu_errors
from tests.factories import make_chapter, make_event, make_member


def test_every_events_page_passes_the_nu_html_checker_with_one_h1(client, login):
    organiser = make_member("maria", role="manager")
    chapter = make_chapter("Berlin", organisers=[organiser])
    event = make_event(organiser, chapter=chapter, capacity=1, max_guests=2, kind="hybrid",
                       online_url="https://meet.example.com/room", cohosts=[make_member("priya")],
                       helpers=[make_member("helper")])
    invite_only = make_event(organiser, title="Partner dinner by invitation", join_policy="invite", capacity=10)
    draft = make_event(organiser, title="Planning in progress", publish=False)
    for name in ("ana", "ben", "cem"):
        rsvps.rsvp(event, make_member(name))
        db.session.commit()
    waiting = rsvps.rsvp(event, make_member("dora"))
    db.session.commit()
    organising.set_priority(waiting, organiser, 3, "First-timer")
    db.session.commit()
    url = f"/events/{event.id}-{event.slug}"
    pages = {f"anonymous {path}": client.get(path).get_data(as_text=True) for path in (
        "/events/", f"/events/c/{chapter.slug}", url, f"/events/{invite_only.id}-{invite_only.slug}")}
    login("ana")
    pages["going"] = client.get(url).get_data(as_text=True)
    pages["mine"] = client.get("/events/mine").get_data(as_text=True)
    pages["guests refused"] = client.submit(f"/events/{event.id}/guests", {"guests": "9"}, page=url
                                            ).get_data(as_text=True)
    login("ben")
    pages["waitlisted"] = client.get(url).get_data(as_text=True)
    pages["chapter member view"] = client.get(f"/events/c/{chapter.slug}").get_data(as_text=True)
    login("maria")
    pages["organiser"] = client.get(url).get_data(as_text=True)
    pages["draft"] = client.get(f"/events/{draft.id}-{draft.slug}").get_data(as_text=True)
    pages["people"] = client.get(f"/events/{event.id}/people").get_data(as_text=True)
    pages["people, invite"] = client.get(f"/events/{invite_only.id}/people").get_data(as_text=True)
    pages["new"] = client.get("/events/new").get_data(as_text=True)
    pages["new with errors"] = client.submit("/events/new", {"title": "x", "local_start": "nonsense"}
                                             ).get_data(as_text=True)
    pages["edit"] = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    pages["cancel"] = client.get(f"/events/{event.id}/cancel").get_data(as_text=True)
    pages["new chapter"] = client.get("/events/chapters/new").get_data(as_text=True)
    pages["edit chapter"] = client.get(f"/events/c/{chapter.slug}/edit").get_data(as_text=True)
    pages["chapter with errors"] = client.submit("/events/chapters/new", {"name": "x", "organisers": "ghost"}
                                                 ).get_data(as_text=True)
    pages["chapter, manager"] = client.get(f"/events/c/{chapter.slug}").get_data(as_text=True)
    pages["index, manager"] = client.get("/events/").get_data(as_text=True)
    pages["cancel with errors"] = client.submit(f"/events/{event.id}/cancel", {"reason": ""}
                                                ).get_data(as_text=True)
    pages.update(_door_and_after(client, login, organiser, event))
    for name, html in pages.items():
        assert html.count("<h1") == 1, name
        assert re.search(r"<title>.+ · Harbor Community</title>", html), name
    errors = nu_errors(pages)
    assert errors == [], '\n'.join(errors)


def _door_and_after(client, login, organiser, event):
    """The ticket, check-in, scan, plan, survey and results pages (after the event, with answers)."""
    from community.events import attendance, planning, surveys
    from community.events.models import RSVP

    planning.apply(event, "meetup")
    db.session.commit()
    ana = db.session.scalar(db.select(RSVP).where(RSVP.user.has(username="ana")))
    pages = {}
    login("ana")
    pages["ticket"] = client.get(f"/events/{event.id}/ticket").get_data(as_text=True)
    login("helper")
    pages["check-in"] = client.get(f"/events/{event.id}/check-in").get_data(as_text=True)
    pages["check-in search"] = client.get(f"/events/{event.id}/check-in?q=zzz").get_data(as_text=True)
    pages["scanned"] = client.get(f"/events/{event.id}/check-in/t/{ana.ticket_secret}").get_data(as_text=True)
    pages["walk-in refused"] = client.submit(f"/events/{event.id}/walk-in", {"username": "nobody"},
                                             page=f"/events/{event.id}/check-in").get_data(as_text=True)
    login("maria")
    pages["plan"] = client.get(f"/events/{event.id}/plan").get_data(as_text=True)
    pages["new task refused"] = client.submit(f"/events/{event.id}/plan/new", {"title": "x"},
                                              page=f"/events/{event.id}/plan").get_data(as_text=True)
    attendance.check_in(ana, organiser)
    event.starts_at, event.ends_at = event.starts_at - timedelta(days=20), event.ends_at - timedelta(days=20)
    db.session.commit()
    pages["results, none yet"] = client.get(f"/events/{event.id}/results").get_data(as_text=True)
    login("ana")
    pages["survey"] = client.get(f"/events/{event.id}/survey").get_data(as_text=True)
    pages["survey refused"] = client.submit(f"/events/{event.id}/survey", {"comment": "no score"}
                                            ).get_data(as_text=True)
    surveys.answer(event, ana.user, 8, "Good, *long* demo.")
    db.session.commit()
    pages["survey done"] = client.get(f"/events/{event.id}/survey").get_data(as_text=True)
    pages["attended event"] = client.get(f"/events/{event.id}-{event.slug}").get_data(as_text=True)
    login("maria")
    pages["results"] = client.get(f"/events/{event.id}/results").get_data(as_text=True)
    pages["results by chapter"] = client.get("/events/results?chapter=berlin").get_data(as_text=True)
    return pages
