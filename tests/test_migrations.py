"""Migrations are the schema's only source; SQLite runs as a careful single-writer database."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from community.core.db import write_intent
from community.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


@pytest.fixture
def sqlite_path(app):
    return db.engine.url.database


@pytest.mark.sqlite_only
def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(sqlite_path):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


@pytest.mark.sqlite_only
def test_write_transactions_take_the_write_lock_when_they_begin(sqlite_path):
    other = sqlite3.connect(sqlite_path, timeout=0.1, isolation_level=None)
    with write_intent(), db.engine.connect() as writer:
        writer.execute(text("SELECT 1"))  # nothing written yet, but the transaction began IMMEDIATE
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    with db.engine.connect() as reader:
        reader.execute(text("SELECT 1"))  # reads begin DEFERRED: a writer is not kept waiting
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    other.close()
