"""Backups of the whole database with the database's own tools, and their restore.

PostgreSQL: pg_dump's custom format (-Fc), restored by pg_restore. SQLite: the
online backup API of the sqlite3 module, which copies a consistent snapshot while
the site runs. A backup holds everything: content, versions, review history,
published rows, accounts and sign-in records.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    pass


def _vendor(alias):
    return connections[alias].vendor


def _pg_args(alias):
    db = connections[alias].settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name):
    found = shutil.which(name) or shutil.which(name, path="/usr/lib/postgresql/bin")
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def backup(directory, alias="default", now=None):
    """Write a backup of the database into `directory`; return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d-%H%M%S")
    vendor = _vendor(alias)
    if vendor == "postgresql":
        path = directory / f"insightswarm-{stamp}.dump"
        args, env = _pg_args(alias)
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file", path]
        _run([*command, *args], env)
    elif vendor == "sqlite":
        path = directory / f"insightswarm-{stamp}.sqlite3"
        connection = connections[alias]
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"No backup for a {vendor} database.")
    return path


def is_empty(alias="default"):
    """Whether the database holds no table at all (a new, never migrated database)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(path, alias="default", overwrite=False):
    """Put the backup at `path` in place of the database's content.

    A database that holds anything is refused unless `overwrite`: a restore replaces
    every table, and the content written since the backup is lost.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    if not overwrite and not is_empty(alias):
        raise BackupError(
            "The database is not empty: restoring would replace everything in it. "
            "Restore into a new, empty database, or pass --overwrite."
        )
    vendor = _vendor(alias)
    connection = connections[alias]
    if vendor == "postgresql":
        connection.close()
        args, env = _pg_args(alias)
        command = [_tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction"]
        if overwrite:
            command += ["--clean", "--if-exists"]
        _run([*command, *args, str(path)], env)
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        source.close()
    else:
        raise BackupError(f"No restore for a {vendor} database.")
    connection.close()
    # The cache is left alone: it may belong to a site running on another database. The
    # site whose database this was finds its cached pages behind the restored record of
    # publication changes, and refreshes them (pages/cache.py, refresh_pending).


def _run(command, env):
    result = subprocess.run(
        [str(part) for part in command], env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")
