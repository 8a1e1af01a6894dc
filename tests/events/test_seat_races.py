"""Seat races: many members RSVP to one event at the same moment, over real HTTP (threads against the served app)
and from several OS processes on the same database; organisers promote while members cancel; a double click.

Whatever the interleaving, the seats ledger holds: `events.seats_taken` equals what the RSVPs hold and never exceeds
the capacity, each member has one RSVP, nobody is promoted twice, and the waitlist is one queue numbered 1..n in
(priority desc, join time, id) order. See ../shared/DESIGN.md "Seats" and ../shared/spec/events.md."""

import html
import http.client
import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from werkzeug.serving import make_server

from community.accounts.models import User
from community.core.db import write_intent
from community.core.errors import Conflict
from community.core.timeutil import aware, utcnow
from community.events import mailing, organising, queries, rsvps, seats
from community.events.models import HOLDING, RSVP, Event, EventLog
from community.extensions import db
from tests.conftest import CSRF
from tests.factories import PASSWORD, make_event, make_member
from tests.processes import ready, stopped_at_the_end

ROOT = Path(__file__).resolve().parents[2]
ERROR_PAGE = 'class="error-page"'
WAITLISTED_MAIL = re.compile(r"you are #(\d+) on the waitlist")


# Real HTTP: the app served on a loopback port, one cookie jar per member ----------------------------------------

@pytest.fixture
def server(app):
    """The test's app served by werkzeug on a free loopback port, a thread per request, as `make run` serves it."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    db.session.commit()  # the test's own transaction ends: the server's requests see what the test wrote
    yield ("127.0.0.1", served.server_port)
    served.shutdown()
    thread.join(timeout=10)
    served.server_close()


class Reply:
    def __init__(self, status: int, location: str | None, text: str):
        self.status, self.location, self.text = status, location, text

    @property
    def flashes(self) -> list[str]:
        return [html.unescape(found) for found in re.findall(r'<p class="flash[^"]*">(.*?)</p>', self.text, re.S)]

    def __repr__(self):
        shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.text))[:400]
        return f"<Reply {self.status} {self.location or ''} {shown}>"


class Visitor:
    """One member's browser, as much as these tests need: its own cookies, a fresh connection per request, no
    redirects followed (so the test sees the 302)."""

    def __init__(self, address, username: str | None = None):
        self.host, self.port = address
        self.username = username
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=90)
        connection.connect()
        return connection

    def send(self, method: str, path: str, form: dict | None = None, connection=None) -> Reply:
        connection = connection or self.connect()
        with self._lock:
            cookies = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Cookie": cookies} if cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        with self._lock:
            for header in response.headers.get_all("Set-Cookie") or ():
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
        return Reply(response.status, response.getheader("Location"), text)

    def get(self, path: str) -> Reply:
        return self.send("GET", path)

    def csrf_token(self, page: Reply) -> str:
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on the page: {page!r}"
        return match.group(1)

    def sign_in(self) -> None:
        """Through the real form: the login page's CSRF token, then POST /account/login."""
        token = self.csrf_token(self.get("/account/login"))
        reply = self.send("POST", "/account/login",
                          {"login": self.username, "password": PASSWORD, "csrf_token": token, "next": ""})
        assert reply.status == 302, f"{self.username} could not sign in: {reply!r}"


def event_path(event: Event) -> str:
    return f"/events/{event.id}-{event.slug}"


def signed_in_at_event(address, members, event) -> list[tuple[Visitor, str]]:
    """Each member signed in in a browser of their own, looking at the event page: (visitor, its CSRF token).
    (The threads get plain values: the test's ORM objects belong to the test's session, on this thread.)"""
    path = event_path(event)

    def open_page(username):
        visitor = Visitor(address, username)
        visitor.sign_in()
        page = visitor.get(path)
        assert page.status == 200, page
        return visitor, visitor.csrf_token(page)

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(open_page, [member.username for member in members]))


def at_once(jobs) -> list:
    """Run each job on a thread of its own, released together by a barrier once every thread is ready; return the
    results in order (an exception a job raised is returned in its place)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(number, job):
        try:
            prepared = job.prepare() if hasattr(job, "prepare") else None
            barrier.wait(timeout=120)
            results[number] = job(prepared) if prepared is not None else job()
        except BaseException as exc:  # reported by the test, in the job's place
            barrier.abort()
            results[number] = exc

    threads = [threading.Thread(target=run, args=(number, job), daemon=True) for number, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    return results


class Post:
    """POST a form at the barrier: the connection is opened before it, so every request arrives at once."""

    def __init__(self, visitor: Visitor, path: str, form: dict):
        self.visitor, self.path, self.form = visitor, path, form

    def prepare(self):
        return self.visitor.connect()

    def __call__(self, connection):
        return self.visitor.send("POST", self.path, self.form, connection=connection)


def rsvp_form(token: str) -> dict:
    return {"csrf_token": token, "guests": "0", "invitation": ""}


# What must hold after every race ---------------------------------------------------------------------------------

def fresh(event: Event) -> Event:
    """The event as committed now (others wrote meanwhile)."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Event, event.id)


def queue_of(event: Event) -> list[RSVP]:
    rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id, RSVP.state == "waitlisted"))
    return sorted(rows, key=lambda row: (-row.priority, aware(row.queued_at), row.id))


def assert_ledger_holds(event: Event) -> Event:
    """seats_taken within the capacity and equal to what the RSVPs hold; the waitlist numbered 1..n in queue order
    (priority desc, join time, id) by seats.position, and listed in that order by queries.people; and nobody waits
    beside free seats their party fits in (promotion runs in the transaction that frees them)."""
    event = fresh(event)
    assert event.capacity is None or event.seats_taken <= event.capacity
    assert queries.held_seats(event) == event.seats_taken
    queue = queue_of(event)
    assert [seats.position(row) for row in queue] == list(range(1, len(queue) + 1))
    assert [row.id for row in queries.people(event).get("waitlisted", [])] == [row.id for row in queue]
    if event.capacity is not None and not seats.promotion_closed(event, utcnow()):
        free = event.capacity - event.seats_taken
        waiting_beside_a_free_seat = [(row.user.username, row.seats) for row in queue if row.seats <= free]
        assert waiting_beside_a_free_seat == [], f"{free} seat(s) free while these wait"
    return event


class Watcher(threading.Thread):
    """Samples the ledger while a race runs, each sample one statement (one snapshot of committed data): the seats
    taken, the capacity and what the RSVPs hold. Every state anyone could have seen must be a sound one."""

    def __init__(self, app, event: Event):
        super().__init__(name="watcher", daemon=True)
        self.app, self.event_id, self.samples, self.error = app, event.id, [], None
        self.stop = threading.Event()

    def run(self):
        held = (select(func.coalesce(func.sum(1 + RSVP.guests), 0))
                .where(RSVP.event_id == Event.id, RSVP.state.in_(HOLDING)).scalar_subquery())
        query = select(Event.seats_taken, Event.capacity, held).where(Event.id == self.event_id)
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    self.samples.append(tuple(db.session.execute(query).one()))
                    db.session.commit()
                    time.sleep(0.02)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join(10)
        assert self.error is None, repr(self.error)
        unsound = [(taken, capacity, held) for taken, capacity, held in self.samples
                   if held != taken or (capacity is not None and taken > capacity)]
        assert self.samples and unsound == [], f"seen while racing (taken, capacity, held): {unsound[:5]}"


def assert_filled_then_queued(event: Event, members, capacity: int) -> Event:
    """Exactly `capacity` going, everyone else waitlisted, one RSVP per member and none for anyone else."""
    event = assert_ledger_holds(event)
    rows = list(db.session.scalars(select(RSVP).where(RSVP.event_id == event.id)))
    assert Counter(row.user_id for row in rows) == Counter(member.id for member in members)  # one row each
    assert Counter(row.state for row in rows) == {"going": capacity, "waitlisted": len(members) - capacity}
    assert event.seats_taken == capacity == queries.held_seats(event)
    return event


def mail_kind(subject: str) -> str:
    """Which of mailing.KINDS a subject is ("confirmed", "waitlisted", "promoted", …)."""
    for kind, (template, _, _) in mailing.KINDS.items():
        pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(template))
        if re.fullmatch(pattern, subject):
            return kind
    raise AssertionError(f"a mail of no known kind: {subject!r}")


def mail_by_kind(smtp, count: int, timeout: float = 30.0) -> dict[str, list]:
    """The mails the sink received, waiting until `count` arrived, by kind."""
    kinds: dict[str, list] = {}
    for message in smtp.wait_for(count, timeout=timeout):
        kinds.setdefault(mail_kind(str(message["Subject"])), []).append(message)
    return kinds


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def assert_told_each_once(smtp, event: Event, members) -> None:
    """One mail per member: "You're going" (with the calendar entry) to those with a seat, "You're on the waitlist"
    with a number on it to those queued, each a number of their own: 1, 2, … as many as wait."""
    rows = {row.user_id: row for row in db.session.scalars(select(RSVP).where(RSVP.event_id == event.id))}
    kinds = mail_by_kind(smtp, len(members))
    assert {kind: len(messages) for kind, messages in kinds.items()} == {
        "confirmed": event.capacity, "waitlisted": len(members) - event.capacity}
    by_address = {member.email: member for member in members}
    assert Counter(str(message["To"]) for message in smtp.messages) == Counter(list(by_address))  # one mail each
    for message in kinds["confirmed"]:
        assert rows[by_address[str(message["To"])].id].state == "going"
        assert any(part.get_content_type() == "text/calendar" for part in message.iter_attachments())
    told = []
    for message in kinds["waitlisted"]:
        assert rows[by_address[str(message["To"])].id].state == "waitlisted"
        told.append(told_number(message))
    assert sorted(told) == list(range(1, len(members) - event.capacity + 1))


def told_number(message) -> int:
    """The waitlist number a "You're on the waitlist" mail tells."""
    return int(WAITLISTED_MAIL.search(" ".join(text_of(message).split())).group(1))


# 1. Threads over real HTTP -------------------------------------------------------------------------------------

def test_200_members_rsvp_at_once_fill_60_seats_and_queue_140_in_order(app, server, smtp):
    """200 signed-in members, each in a browser of their own, press RSVP at the same moment (200 concurrent POSTs
    to the served app): 60 go, 140 queue, nobody sees an error, everyone is told which."""
    event = make_event(capacity=60)
    members = [make_member() for _ in range(200)]
    browsers = signed_in_at_event(server, members, event)
    smtp.messages.clear()

    with Watcher(app, event):  # every member's request in flight at once: 200 POSTs, 200 server threads
        replies = at_once([Post(visitor, f"/events/{event.id}/rsvp", rsvp_form(token))
                           for visitor, token in browsers])

    failed = [(visitor.username, reply) for (visitor, _), reply in zip(browsers, replies, strict=True)
              if not isinstance(reply, Reply) or reply.status != 302 or ERROR_PAGE in reply.text]
    assert failed == [], f"{len(failed)} RSVPs failed, e.g. {failed[:3]}"
    assert {reply.location for reply in replies} == {event_path(event)}
    event = assert_filled_then_queued(event, members, capacity=60)
    assert_told_each_once(smtp, event, members)

    # Each member reads what the page said after the redirect: going, or their number on the waitlist.
    rows = {row.user_id: row for row in db.session.scalars(select(RSVP).where(RSVP.event_id == event.id))}
    path = event_path(event)
    with ThreadPoolExecutor(max_workers=16) as pool:
        pages = list(pool.map(lambda browser: browser[0].get(path), browsers))
    said = Counter()
    for member, page in zip(members, pages, strict=True):
        assert page.status == 200, page
        (flash,) = page.flashes
        if rows[member.id].state == "going":
            assert flash.startswith("You're going."), flash
            said["going"] += 1
        else:
            assert re.search(r"you're #\d+ on the waitlist", flash), flash
            said["waitlisted"] += 1
    assert said == {"going": 60, "waitlisted": 140}


# 2. Several OS processes on the same database --------------------------------------------------------------------

def rsvp_process(app, database_url, smtp, event, members) -> subprocess.Popen:
    """Start tests/events/rsvp_process.py: another server process on this test's database and SMTP sink."""
    setup = json.dumps({"database_url": database_url, "instance": app.instance_path, "smtp_port": smtp.port})
    return subprocess.Popen([sys.executable, "-m", "tests.events.rsvp_process", setup, str(event.id),
                             *(str(member.id) for member in members)],
                            cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_4_processes_rsvping_50_members_each_at_once_fill_60_seats_and_queue_140_in_order(app, database_url,
                                                                                       smtp):
    """Four server processes on the same database (as gunicorn's workers, or several app servers) RSVP 50 members
    each, one transaction per RSVP, all released together."""
    event = make_event(capacity=60)
    members = [make_member() for _ in range(200)]
    smtp.messages.clear()
    shares = [members[number::4] for number in range(4)]  # interleaved: no process holds all the early joiners
    processes = [rsvp_process(app, database_url, smtp, event, share) for share in shares]
    with stopped_at_the_end(processes), Watcher(app, event):
        assert all(ready(process) for process in processes), [process.stderr.read() for process in processes
                                                              if process.poll() is not None]
        for process in processes:  # every process starts RSVPing now
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = []
        for process in processes:
            output, errors = process.communicate(timeout=120)
            assert process.returncode == 0, errors
            outputs.extend(json.loads(line) for line in output.splitlines())

    assert [line for line in outputs if "refused" in line] == []
    assert sorted(line["member"] for line in outputs) == sorted(member.id for member in members)
    event = assert_filled_then_queued(event, members, capacity=60)
    rows = {row.user_id: row.state for row in db.session.scalars(select(RSVP).where(RSVP.event_id == event.id))}
    assert {line["member"]: line["state"] for line in outputs} == rows  # what each process saw is what stayed
    assert_told_each_once(smtp, event, members)


# 3. Organisers promoting while members cancel -------------------------------------------------------------------

def in_transaction(app, work):
    """`work()` in a write transaction of its own on this thread (an app context, a session of its own), committed;
    rolled back when it raises (the exception goes on)."""
    with app.app_context(), write_intent():
        try:
            result = work()
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise


def place(event, member, guests=0) -> RSVP:
    with write_intent():
        row = rsvps.rsvp(event, member, guests)
        db.session.commit()
    return row


@pytest.mark.parametrize("mode", ["auto", "offer"])
def test_organisers_promoting_while_members_cancel_never_overfill_nor_promote_anyone_twice(app, smtp, mode):
    """A full event (5 seats, 15 waiting, one of them moved to the front): the 5 going cancel at once, each cancel
    promoting in its own transaction, while two organisers promote waitlisted people by hand (no over-capacity),
    one from the front of the queue and one from the back, pass after pass."""
    capacity = 5
    organiser = make_member("organiser", role="manager")
    event = make_event(organiser, capacity=capacity, waitlist_mode=mode)
    going = [make_member() for _ in range(capacity)]
    waiting = [make_member() for _ in range(15)]
    for member in going + waiting:
        place(event, member)
    with write_intent():  # an organiser moves a first-timer to the front of the queue
        organising.set_priority(rsvps.mine(event, waiting[-1]), organiser, 10, "first-timer")
        db.session.commit()
    event = assert_filled_then_queued(event, going + waiting, capacity)
    queue = [(row.id, row.user_id) for row in queue_of(event)]
    assert queue[0][1] == waiting[-1].id
    smtp.messages.clear()
    event_id, organiser_id = event.id, organiser.id
    cancellers_done = threading.Event()
    outcomes: list[tuple[str, int, str]] = []  # (who, member id, "promoted" | the refusal)

    def cancel(member_id):
        def work():
            row = rsvps.mine(db.session.get(Event, event_id), db.session.get(User, member_id))
            rsvps.cancel(row)
        return lambda: in_transaction(app, work)

    def organise(name, order):
        def promote(rsvp_id, member_id):
            def work():
                organising.promote_member(db.session.get(RSVP, rsvp_id), db.session.get(User, organiser_id),
                                          reason=f"{name} saw a seat")
            try:
                in_transaction(app, work)
                outcomes.append((name, member_id, "promoted"))
            except Conflict as exc:
                outcomes.append((name, member_id, exc.message))

        def run():
            while True:  # pass after pass while members cancel, and one more once they are done
                last = cancellers_done.is_set()
                for rsvp_id, member_id in order:
                    promote(rsvp_id, member_id)
                if last:
                    return
        return run

    def cancellers(members):
        jobs = [cancel(member.id) for member in members]

        def run():
            try:
                return at_once(jobs)
            finally:
                cancellers_done.set()
        return run

    organisers = [organise("front-first", queue), organise("back-first", queue[::-1])]
    with Watcher(app, event):
        results = at_once([cancellers(going), *organisers])
    assert results[1:] == [None, None]
    assert results[0] == [None] * capacity, results[0]  # every cancellation went through

    event = assert_ledger_holds(event)
    rows = list(db.session.scalars(select(RSVP).where(RSVP.event_id == event.id)))
    by_member = {row.user_id: row for row in rows}
    first_five = [member_id for _, member_id in queue[:capacity]]
    assert Counter(row.user_id for row in rows) == Counter(m.id for m in going + waiting)  # one row each
    assert {row.user_id for row in rows if row.state == "cancelled"} == {m.id for m in going}
    # The freed seats went to the front of the queue, each once: confirmed (auto), or held and then confirmed by
    # an organiser (offer). Never more people than seats.
    assert sorted(member_id for member_id, row in by_member.items() if row.state == "going") == sorted(first_five)
    assert event.seats_taken == capacity
    promoted = [(who, member_id) for who, member_id, outcome in outcomes if outcome == "promoted"]
    assert len({member_id for _, member_id in promoted}) == len(promoted), f"promoted twice: {promoted}"
    logged = Counter(db.session.scalars(select(EventLog.member_id).where(EventLog.event_id == event.id,
                                                                       EventLog.action == "promoted")))
    assert logged == Counter(member_id for _, member_id in promoted)
    kinds = mail_by_kind(smtp, (3 if mode == "offer" else 2) * capacity)
    told = {kind: Counter(str(message["To"]) for message in messages) for kind, messages in kinds.items()}
    email_of = {member.id: member.email for member in going + waiting}
    once_each = Counter(email_of[member_id] for member_id in first_five)
    assert told.pop("cancelled") == Counter(member.email for member in going)
    assert told.pop("promoted") == once_each  # one "you're going" each, to the five at the front
    if mode == "auto":
        assert promoted == []  # no seat is ever free while people wait: the organisers are refused
    else:  # each seat held for the next in the queue, then confirmed by one organiser (the other is refused)
        assert told.pop("offered") == once_each
        assert sorted(member_id for _, member_id in promoted) == sorted(first_five)
    assert told == {}
    refused = [outcome for _, _, outcome in outcomes if outcome != "promoted"]
    assert refused and all(outcome.endswith(".") for outcome in refused)  # refusals are sentences, not crashes


# 4. A double click ------------------------------------------------------------------------------------------------

def test_a_double_click_on_rsvp_leaves_one_place_and_one_seat(app, server, smtp):
    """Ten members each send the same RSVP twice at the same moment (same session, same form)."""
    event = make_event(capacity=60)
    members = [make_member() for _ in range(10)]
    browsers = signed_in_at_event(server, members, event)
    smtp.messages.clear()

    clicks = [Post(visitor, f"/events/{event.id}/rsvp", rsvp_form(token)) for visitor, token in browsers
              for _ in range(2)]
    replies = at_once(clicks)

    assert all(isinstance(reply, Reply) and reply.status < 500 for reply in replies), replies
    for number, member in enumerate(members):
        first, second = replies[2 * number], replies[2 * number + 1]
        assert sorted([first.status, second.status]) in ([302, 302], [302, 409]), (member.username, first, second)
        for reply in (first, second):
            assert ERROR_PAGE not in reply.text, reply
            if reply.status == 409:  # the event page again, saying why: they have their place already
                assert "already going" in reply.text or "a moment ago" in reply.text, reply
    event = fresh(event)
    rows = list(db.session.scalars(select(RSVP).where(RSVP.event_id == event.id)))
    assert Counter(row.user_id for row in rows) == Counter(member.id for member in members)
    assert {row.state for row in rows} == {"going"}
    assert event.seats_taken == len(members) == queries.held_seats(event)
    kinds = mail_by_kind(smtp, len(members))
    time.sleep(0.5)  # a second confirmation would arrive about now
    assert Counter(str(message["To"]) for message in smtp.messages) == Counter(m.email for m in members)
    assert {kind: len(messages) for kind, messages in kinds.items()} == {"confirmed": len(members)}


# 5. Two transactions interleaved on purpose ----------------------------------------------------------------------
# The races above leave their interleaving to the scheduler. These hold one transaction open at a chosen statement
# while another commits, so each interleaving happens every run, on both databases (on SQLite the held transaction
# keeps the write lock, so the other one waits for it: that is SQLite's serial order, and the right outcome).

class Racer(threading.Thread):
    """`work()` in a write transaction of its own on a thread named `name`; keeps its result or its exception."""

    def __init__(self, app, name, work):
        super().__init__(name=name, daemon=True)
        self.app, self.work, self.result, self.error = app, work, None, None
        self.start()

    def run(self):
        try:
            self.result = in_transaction(self.app, self.work)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def finish(self, timeout=30):
        self.join(timeout)
        assert not self.is_alive(), f"{self.name} never finished"
        assert self.error is None, f"{self.name}: {self.error!r}"
        return self.result


class Pause:
    """Hold the thread named `thread` just before it sends the first statement that starts with `prefix` (its
    transaction open, everything before that statement done) until `resume()` (or `longest` seconds)."""

    def __init__(self, thread: str, prefix: str, longest: float = 10.0):
        self.thread, self.prefix, self.longest = thread, prefix, longest
        self.reached, self.resumed = threading.Event(), threading.Event()

    def _hold(self, conn, cursor, statement, parameters, context, executemany):
        if (threading.current_thread().name == self.thread and not self.reached.is_set()
                and statement.lstrip().upper().startswith(self.prefix)):
            self.reached.set()
            self.resumed.wait(self.longest)

    def __enter__(self):
        sa_event.listen(db.engine, "before_cursor_execute", self._hold)
        return self

    def __exit__(self, *exc):
        self.resumed.set()
        sa_event.remove(db.engine, "before_cursor_execute", self._hold)

    def wait(self, timeout=20):
        assert self.reached.wait(timeout), f"{self.thread} never reached {self.prefix!r}"

    def resume(self):
        self.resumed.set()


def joining(event_id: int, member_id: int):
    return lambda: rsvps.rsvp(db.session.get(Event, event_id), db.session.get(User, member_id)).state


def leaving(event_id: int, member_id: int):
    return lambda: rsvps.cancel(rsvps.mine(db.session.get(Event, event_id), db.session.get(User, member_id))).state


def test_a_seat_freed_while_a_newcomer_joins_the_waitlist_goes_to_the_newcomer(app, smtp):
    """The newcomer finds the event full; before their waitlist row is written, the one member going cancels. The
    cancel's promotion can't see the newcomer yet, so the newcomer's own transaction must see the free seat."""
    event = make_event(capacity=1)
    holder, newcomer = make_member(), make_member()
    place(event, holder)
    with Pause("newcomer", "INSERT INTO RSVPS") as pause:
        newcoming = Racer(app, "newcomer", joining(event.id, newcomer.id))
        pause.wait()  # the newcomer's seat UPDATE matched nothing (full); their waitlist row comes next
        cancelling = Racer(app, "holder", leaving(event.id, holder.id))
        cancelling.join(2)  # PostgreSQL: the cancel commits meanwhile. SQLite: it waits for the newcomer's lock
        pause.resume()
        newcoming.finish()
        cancelling.finish()
    event = assert_ledger_holds(event)  # not one seat free while the newcomer waits
    assert rsvps.mine(event, newcomer).state == "going"
    assert event.seats_taken == 1


def test_members_joining_the_waitlist_at_once_are_each_told_the_number_they_keep(app, smtp):
    """Two members join the waitlist of a full event at once: each is told a number of their own (#2 and #3, behind
    the one waiting already), and it is the number the event page shows them afterwards."""
    event = make_event(capacity=1)
    holder, first_waiting, early, late = (make_member() for _ in range(4))
    for member in (holder, first_waiting):
        place(event, member)
    smtp.messages.clear()
    with Pause("early", "INSERT INTO RSVPS") as pause:
        earlier = Racer(app, "early", joining(event.id, early.id))
        pause.wait()  # early's join time is set, its row not yet written
        later = Racer(app, "late", joining(event.id, late.id))
        later.join(2)  # PostgreSQL: late commits meanwhile. SQLite: it waits for early's write lock
        pause.resume()
        assert earlier.finish() == later.finish() == "waitlisted"
    assert_told_their_numbers(smtp, event, [early, late])


def test_a_member_queued_outside_a_request_while_another_writes_is_told_the_number_they_keep(app, smtp):
    """rsvps.rsvp called outside a request (a command, a job, another process, as in the process test above): its
    transaction begins inside the call. It waits for the writer ahead, then must queue behind what that writer
    committed meanwhile, and be told so."""
    event = make_event(capacity=1)
    holder, first_waiting, waiter, writer = (make_member() for _ in range(4))
    for member in (holder, first_waiting):
        place(event, member)
    smtp.messages.clear()
    loaded, go = threading.Event(), threading.Event()
    event_id, waiter_id = event.id, waiter.id

    def join_when_told():
        its_event, me = db.session.get(Event, event_id), db.session.get(User, waiter_id)
        db.session.commit()  # as after the process's previous RSVP: loaded, expired, no transaction open
        loaded.set()
        assert go.wait(20)
        return rsvps.rsvp(its_event, me).state

    waiting = Racer(app, "waiter", join_when_told)
    assert loaded.wait(20)
    with write_intent():
        db.session.execute(select(1))  # this writer's transaction is open (on SQLite: it holds the write lock)
        go.set()
        time.sleep(0.5)  # the waiter has asked to join: on SQLite it waits for this writer; on PostgreSQL it's in
        assert rsvps.rsvp(db.session.get(Event, event.id), db.session.get(User, writer.id)).state == "waitlisted"
        db.session.commit()
    assert waiting.finish() == "waitlisted"
    assert_told_their_numbers(smtp, event, [waiter, writer])


def assert_told_their_numbers(smtp, event, members) -> None:
    """Each of `members` was mailed a waitlist number of their own, the one the waitlist gives them now."""
    event = assert_ledger_holds(event)
    kinds = mail_by_kind(smtp, len(members))
    told = {str(message["To"]): told_number(message) for message in kinds.pop("waitlisted", [])}
    assert kinds == {}
    now = {member.email: seats.position(rsvps.mine(event, member)) for member in members}
    assert sorted(now.values()) == list(range(2, 2 + len(members)))
    assert told == now, "told one waitlist number by mail, shown another (or the same as someone else)"
