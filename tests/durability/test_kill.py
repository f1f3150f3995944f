"""SIGKILL the app server, an import and the worker mid-work (issue 8 §4).

Real processes on a database of their own (a copy of the test database: a file for SQLite,
``<test db>_durable`` for PostgreSQL) and Redis database 5: gunicorn with two workers serving
the API, ``manage.py import``, ``manage.py worker``. Afterwards every acknowledged
submission is stored exactly once, a killed import stored nothing, a killed worker's task ran
again and no task is left queued or claimed.
"""

from __future__ import annotations

import csv
import http.client
import itertools
import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gongkai import tasks

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/5"
SUBMISSIONS = 200  # acknowledged submissions in all
KILL_AFTER = 80  # acknowledged submissions before the app server is killed
CLIENTS = 4
IMPORT_ROWS = 3000
TASKS = 8
TASK_SECONDS = 0.8
HEARTBEAT = 4  # the worker's heartbeat, short so a dead worker's task comes back quickly
STARTUP_TIMEOUT = 120  # seconds; the machine may be busy

# The tests read nothing through this process's connection; the mark makes pytest-django create
# the test database, which the server database is copied from.
pytestmark = pytest.mark.django_db


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


def _clear_task_keys(client: Any) -> None:
    keys = list(client.scan_iter(match="gongkai:tasks*"))
    if keys:
        client.delete(*keys)


@dataclass
class Stack:
    """The server database and the processes run against it."""

    tmp: Path
    env: dict[str, str]
    port: int
    redis: Any
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
            args, cwd=ROOT, env=self.env, stdout=kw.pop("stdout", log), stderr=kw.pop("stderr", log),
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

    def start_server(self) -> subprocess.Popen:
        proc = self.spawn(
            [sys.executable, "-m", "gunicorn", "gongkai.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "5"],
            "gunicorn.log",
        )  # fmt: skip

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {proc.returncode}:\n{self.log('gunicorn.log')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=10) as r:
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

    def start_worker(self) -> subprocess.Popen:
        before = set(tasks.queue_state(self.redis)) - {"queued"}
        proc = self.spawn(
            [sys.executable, str(ROOT / "manage.py"), "worker", "--heartbeat", str(HEARTBEAT)], "worker.log"
        )

        def registered() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"the worker exited with {proc.returncode}:\n{self.log('worker.log')}")
            return bool(set(tasks.queue_state(self.redis)) - {"queued"} - before)

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


@pytest.fixture(scope="module")
def stack(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Stack]:
    client = _redis()
    # Not under pytest's numbered temporary directories, which other pytest runs rotate away.
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-durable-"))
    with django_db_blocker.unblock():
        url, remove_database = _server_database(tmp)
    prefix = f"durable-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "GONGKAI_ENV": "test",
        "DEBUG": "false",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "TASKS_BACKEND": "redis",
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    _clear_task_keys(client)
    stack = Stack(tmp=tmp, env=env, port=_free_port(), redis=client)
    try:
        stack.seed = stack.call("setup")
        yield stack
    finally:
        for proc in list(stack.running):
            stack.kill(proc)
        _clear_task_keys(client)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        with django_db_blocker.unblock():
            remove_database()
        shutil.rmtree(tmp, ignore_errors=True)


def test_every_acknowledged_submission_is_stored_once_across_a_killed_app_server(stack: Stack) -> None:
    prefix = f"DUR-{uuid.uuid4().hex[:8]}-"
    acknowledged: dict[str, str] = {}
    refused: Counter[Any] = Counter()  # HTTP statuses other than 201, and connection failures
    lock = threading.Lock()
    numbers = itertools.count()
    stop = threading.Event()

    def submit() -> None:
        while not stop.is_set():
            marker = f"{prefix}{next(numbers):05d}"
            try:
                status, data = stack.post_letter(marker)
            except (OSError, http.client.HTTPException):  # refused, reset or cut off mid-response
                with lock:
                    refused["connection"] += 1
                time.sleep(0.05)
                continue
            with lock:
                if status == 201:
                    acknowledged[marker] = data["case_number"]
                else:
                    refused[status] += 1

    server = stack.start_server()
    clients = [threading.Thread(target=submit, daemon=True) for _ in range(CLIENTS)]
    for thread in clients:
        thread.start()
    try:
        _wait_until("the first submissions", lambda: len(acknowledged) >= KILL_AFTER)
        stack.kill(server)  # master and workers, with requests in flight
        before_restart = len(acknowledged)
        server = stack.start_server()
        _wait_until("the remaining submissions", lambda: len(acknowledged) >= SUBMISSIONS)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=90)
    stack.kill(server)

    assert before_restart < len(acknowledged)  # submissions were acknowledged on both sides of the kill
    # No 4xx or 5xx: only the kill cut requests off.
    assert set(refused) <= {"connection"}, (refused, stack.log("gunicorn.log"))
    found = stack.call("letters", prefix)
    assert found["audit_problems"] == []
    stored = found["letters"]
    per_marker = Counter(subject for subject, _case in stored)
    assert [m for m, n in per_marker.items() if n > 1] == []
    case_of = dict(stored)
    assert sorted(set(acknowledged) - set(case_of)) == []  # nothing acknowledged was lost
    assert {m: case_of[m] for m in acknowledged} == acknowledged  # under the number the client was given
    assert len({case for _subject, case in stored}) == len(stored)


def _items_file(path: Path, prefix: str, unit_name: str) -> None:
    header = ["名称", "文号", "发布机构", "主题分类", "体裁分类", "类型", "成文日期", "生成日期", "发布日期", "有效性",
              "主题词", "内容概述", "正文"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for n in range(1, IMPORT_ROWS + 1):
            writer.writerow([
                f"{prefix}关于第{n}项工作的通知", f"耐财发〔2013〕{n}号", unit_name, "财政预决算", "通知公告", "公开信息",
                "2013-03-01", "2013-03-04", "2013-03-15", "有效", "财政 预算", f"第{n}项工作。", f"<p>第{n}项工作的正文。</p>",
            ])  # fmt: skip


def test_a_killed_import_stores_nothing_and_a_rerun_stores_every_row_once(stack: Stack) -> None:
    prefix = f"DUR{uuid.uuid4().hex[:8]}"
    path = stack.tmp / "items.csv"
    _items_file(path, prefix, stack.seed["unit_name"])
    manage = [sys.executable, str(ROOT / "manage.py"), "import", "items", str(path)]
    importing = stack.spawn(manage, "import.log", stderr=subprocess.PIPE)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for raw in importing.stderr:  # type: ignore[union-attr]
            lines.put(raw.decode(errors="replace"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen = []
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:  # the clocks are written: the items are being stored, inside the one transaction
        try:
            line = lines.get(timeout=max(1.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"the import never reached its clocks: {''.join(seen)}") from None
        assert line is not None, f"the import ended before storing: {''.join(seen)}"
        seen.append(line)
        if line.startswith("clocks:"):
            break
    stack.kill(importing)
    assert importing.returncode == -signal.SIGKILL  # killed, not finished

    assert stack.call("items", prefix) == {"items": 0, "titles": 0, "clocks": 0, "audit_problems": []}

    done = stack.manage("import", "items", str(path))
    assert done.returncode == 0, done.stderr
    stored = stack.call("items", prefix)
    assert stored == {"items": IMPORT_ROWS, "titles": IMPORT_ROWS, "clocks": IMPORT_ROWS, "audit_problems": []}


def _marks(path: Path) -> tuple[Counter[str], Counter[str]]:
    lines = path.read_text().splitlines() if path.exists() else []
    started = Counter(line.split()[1] for line in lines if line.startswith("start "))
    finished = Counter(line.split()[1] for line in lines if line.startswith("done "))
    return started, finished


def test_a_killed_workers_task_runs_again_and_no_task_is_stuck(stack: Stack) -> None:
    path = stack.tmp / "marks.log"
    markers = [f"task{n:02d}" for n in range(TASKS)]
    first = stack.start_worker()
    assert stack.call("enqueue_marks", str(path), markers, TASK_SECONDS) == TASKS

    def mid_task() -> bool:
        started, finished = _marks(path)
        return sum(finished.values()) >= 2 and any(started[m] > finished[m] for m in started)

    _wait_until("the worker to be in the middle of a task", mid_task)
    stack.kill(first)
    started, finished = _marks(path)
    interrupted = [m for m in markers if started[m] > finished[m]]
    assert interrupted, "the worker finished its task before it was killed"
    state = tasks.queue_state(stack.redis)
    assert sum(n for key, n in state.items() if key != "queued") == len(interrupted)  # held by the dead

    second = stack.start_worker()

    def all_done() -> bool:
        started, finished = _marks(path)
        state = tasks.queue_state(stack.redis)
        idle = state["queued"] == 0 and len(state) == 2 and sum(state.values()) == 0  # only `second`, idle
        return idle and all(finished[m] >= 1 for m in markers)

    _wait_until("every task to run", all_done)
    started, finished = _marks(path)
    for marker in interrupted:
        assert (started[marker], finished[marker]) == (2, 1)  # cut off once, run again in full

    second.send_signal(signal.SIGTERM)  # the worker alone: a clean stop
    assert second.wait(timeout=60) == 0
    stack.running.remove(second)
    assert "worker stopped" in stack.log("worker.log")
    assert tasks.queue_state(stack.redis) == {"queued": 0}
    assert list(stack.redis.scan_iter(match="gongkai:tasks:processing:*")) == []
