"""Real processes for the durability tests: gunicorn, the worker and commands on a database of their own.

The server database is a copy of the migrated test database (a file for SQLite,
``<test db>_durable`` for PostgreSQL); Redis is database 5 with a key prefix of the run's own, for
the cache and the task queue alike (``CACHE_KEY_PREFIX`` and ``TASKS_KEY_PREFIX``), so test runs at
the same time on one Redis never take each other's tasks.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gongkai import tasks

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/5"
HEARTBEAT = 4  # the worker's heartbeat, short so a dead worker's task comes back quickly
STARTUP_TIMEOUT = 120  # seconds; the machine may be busy


def _redis() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(what: str, check: Callable[[], Any], timeout: float = STARTUP_TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _clear_keys(client: Any, prefix: str) -> None:
    """Every key of this stack's cache and task queue (and nobody else's)."""
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@dataclass
class Stack:
    """The server database and the processes run against it."""

    tmp: Path
    env: dict[str, str]
    port: int
    redis: Any
    prefix: str  # of the stack's Redis keys, cache and task queue
    seed: dict[str, Any] = field(default_factory=dict)
    running: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def call(self, function: str, *args: Any) -> Any:
        """Call ``tests.durability.seed.<function>(*args)`` in the server database; its JSON result."""
        code = f"from tests.durability import seed; seed.{function}(*{json.dumps(list(args))})"
        done = self.manage("shell", "-v", "0", "-c", code)
        assert done.returncode == 0, done.stderr
        line = next(line for line in done.stdout.splitlines() if line.startswith("JSON:"))
        return json.loads(line[len("JSON:") :])

    def spawn(self, args: list[str], log_name: str, **kw: Any) -> subprocess.Popen:
        """Start a process in its own process group (so SIGKILL reaches all of it)."""
        log = open(self.tmp / log_name, "ab")  # noqa: SIM115 - kept open for the child
        proc = subprocess.Popen(
            args, cwd=ROOT, env=kw.pop("env", self.env), stdout=kw.pop("stdout", log), stderr=kw.pop("stderr", log),
            start_new_session=True, **kw,
        )  # fmt: skip
        log.close()
        self.running.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
        self.running.remove(proc)

    def log(self, name: str) -> str:
        """A process's output for an assertion message: from its first traceback, or its end."""
        text = (self.tmp / name).read_text(errors="replace") if (self.tmp / name).exists() else ""
        start = text.find("Traceback")
        return text[start : start + 6000] if start >= 0 else text[-3000:]

    # --- the app server ---------------------------------------------------------------------

    def start_server(self, port: int | None = None, log_name: str = "gunicorn.log") -> subprocess.Popen:
        """gunicorn with two workers on ``port`` (default: the stack's), once it answers /healthz."""
        port = port or self.port
        proc = self.spawn(
            [sys.executable, "-m", "gunicorn", "gongkai.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "5"],
            log_name,
        )  # fmt: skip

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {proc.returncode}:\n{self.log(log_name)}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
                    return r.status == 200 and json.load(r)["status"] == "ok"
            except (OSError, http.client.HTTPException, ValueError):
                return False

        _wait_until("gunicorn to answer /healthz", ready)
        return proc

    def post_letter(self, subject: str) -> tuple[int, dict[str, Any]]:
        body = {
            "channel_id": self.seed["channel_id"], "category": "complaint", "writer_name": "刘建国",
            "subject": subject, "body": "县长您好，村里道路破损严重，请尽快安排维修。",
        }  # fmt: skip
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/letters",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.seed['token']}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, {}

    # --- the worker -------------------------------------------------------------------------

    def queue_state(self) -> dict[str, int]:
        """``tasks.queue_state`` under the stack's prefix: queued, dead and claimed per worker."""
        return tasks.queue_state(self.redis, prefix=self.prefix)

    def workers(self) -> dict[str, int]:
        """The registered workers and the tasks each holds."""
        return {key: n for key, n in self.queue_state().items() if key not in ("queued", "dead")}

    def start_worker(self, **env: str) -> subprocess.Popen:
        """``manage.py worker`` (``env``: settings of its own), once it registered."""
        before = set(self.workers())
        args = [sys.executable, str(ROOT / "manage.py"), "worker", "--heartbeat", str(HEARTBEAT)]
        proc = self.spawn(args, "worker.log", env={**self.env, **env})

        def registered() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"the worker exited with {proc.returncode}:\n{self.log('worker.log')}")
            return bool(set(self.workers()) - before)

        _wait_until("the worker to register", registered)
        return proc


def _server_database(tmp: Path) -> tuple[str, Callable[[], None]]:
    """A database for the server processes, copied from the migrated test database.

    Returns its URL and a function that removes it. (Migrating a fresh database would take
    longer than the whole test.)
    """
    from django.db import connection, connections

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp / "server.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", lambda: None

    import psycopg
    from psycopg import sql

    template, name = settings["NAME"], f"{settings['NAME']}_durable"
    params = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432,
              "user": settings["USER"], "password": settings["PASSWORD"] or None}  # fmt: skip
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template to be idle

    def admin(statement: sql.Composable) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    admin(drop)
    auth = quote(params["user"] or "", safe="")
    if params["password"]:
        auth += ":" + quote(params["password"], safe="")
    url = f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    try:
        admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    except psycopg.errors.ObjectInUse:  # another session holds the test database: migrate a new one
        admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env = {**os.environ, "DATABASE_URL": url, "GONGKAI_ENV": "test"}
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr
    return url, lambda: admin(drop)


@contextmanager
def running_stack(django_db_blocker: Any) -> Iterator[Stack]:
    """A server database copied from the test database, Redis, and the processes started on them."""
    client = _redis()
    # Not under pytest's numbered temporary directories, which other pytest runs rotate away.
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-durable-"))
    with django_db_blocker.unblock():
        url, remove_database = _server_database(tmp)
    prefix = f"durable-{os.getpid()}-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "GONGKAI_ENV": "test",
        "DEBUG": "false",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "TASKS_BACKEND": "redis",
        "TASKS_KEY_PREFIX": prefix,
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("TASKS_MAX_ATTEMPTS", "TASKS_TIME_LIMIT"):  # the defaults, whatever this shell sets
        env.pop(name, None)
    _clear_keys(client, prefix)
    stack = Stack(tmp=tmp, env=env, port=_free_port(), redis=client, prefix=prefix)
    try:
        stack.seed = stack.call("setup")
        yield stack
    finally:
        for proc in list(stack.running):
            stack.kill(proc)
        _clear_keys(client, prefix)
        with django_db_blocker.unblock():
            remove_database()
        shutil.rmtree(tmp, ignore_errors=True)


