"""A PostgreSQL database for one test run, always a fresh one of our own, dropped afterwards, on the server named by
TEST_DATABASE_URL, else the server at 127.0.0.1:5432, else a throwaway cluster started in a temp folder with the
installed binaries. Nothing relies on leftovers."""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import psycopg


def _answers(host="127.0.0.1", port=5432) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def _bindir() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@contextlib.contextmanager
def database():
    """Yield a SQLAlchemy URL to an empty database that is ours alone; drop it (and any cluster) afterwards."""
    if os.environ.get("TEST_DATABASE_URL"):
        admin_url = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        with _fresh_database(admin_url) as url:
            yield url
        return
    if _answers():
        with _fresh_database("postgresql://postgres@127.0.0.1:5432/postgres") as url:
            yield url
        return
    bindir = _bindir()
    if bindir is None:
        yield None
        return
    with _throwaway_cluster(bindir) as admin_url, _fresh_database(admin_url) as url:
        yield url


@contextlib.contextmanager
def _fresh_database(admin_url: str):
    name = f"community_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _throwaway_cluster(bindir: str):
    folder = tempfile.mkdtemp(prefix="community-pg-")
    data = os.path.join(folder, "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run_as = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres (or nobody) account
        account = "postgres" if _has_user("postgres") else "nobody"
        shutil.chown(folder, account)
        run_as = ["runuser", "-u", account, "--"]
    subprocess.run([*run_as, f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(folder, "log"), "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        deadline = time.time() + 30
        while not _answers(port=port) and time.time() < deadline:
            time.sleep(0.2)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
