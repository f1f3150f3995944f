"""SIGKILL the app server, an import and the worker mid-work (issue 8 §4).

Real processes (see ``stack``): gunicorn with two workers serving the API, ``manage.py
import``, ``manage.py worker``. Afterwards every acknowledged submission is stored exactly once,
a killed import stored nothing, a killed worker's task ran again and no task is left queued or
claimed; a task that kills its worker every time ends in the dead letters, and one that hangs is cut
off at the time limit.
"""

from __future__ import annotations

import csv
import http.client
import itertools
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gongkai import tasks
from tests.durability.stack import HEARTBEAT, ROOT, STARTUP_TIMEOUT, Stack, _wait_until

SUBMISSIONS = 200  # acknowledged submissions in all
KILL_AFTER = 80  # acknowledged submissions before the app server is killed
CLIENTS = 4
IMPORT_ROWS = 3000
TASKS = 8
TASK_SECONDS = 0.8

# The tests read nothing through this process's connection; the mark makes pytest-django create
# the test database, which the server database is copied from.
pytestmark = pytest.mark.django_db


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
    assert sum(stack.workers().values()) == len(interrupted)  # held by the dead

    second = stack.start_worker()

    def all_done() -> bool:
        started, finished = _marks(path)
        state, workers = stack.queue_state(), stack.workers()
        idle = state["queued"] == state["dead"] == 0 and len(workers) == 1 and sum(workers.values()) == 0
        return idle  # only `second`, idle and all(finished[m] >= 1 for m in markers)

    _wait_until("every task to run", all_done)
    started, finished = _marks(path)
    for marker in interrupted:
        assert (started[marker], finished[marker]) == (2, 1)  # cut off once, run again in full

    second.send_signal(signal.SIGTERM)  # the worker alone: a clean stop
    assert second.wait(timeout=60) == 0
    stack.running.remove(second)
    assert "worker stopped" in stack.log("worker.log")
    assert stack.queue_state() == {"queued": 0, "dead": 0}
    assert list(stack.redis.scan_iter(match=f"{stack.prefix}:tasks:processing:*")) == []
    assert stack.redis.hlen(tasks.task_keys(stack.prefix).attempts) == 0  # every claim forgotten once run


def test_a_task_that_kills_its_worker_is_buried_and_a_hanging_one_cut_off(stack: Stack) -> None:
    path = stack.tmp / "poison.log"
    task = "tests.durability.tasks_for_test."
    entries = [
        [task + "die", {"path": str(path), "marker": "poison"}],
        [task + "mark", {"path": str(path), "marker": "hang", "seconds": 600}],
        [task + "mark", {"path": str(path), "marker": "after", "seconds": 0}],
    ]
    assert stack.call("enqueue_tasks", entries) == 3
    limits = {"TASKS_MAX_ATTEMPTS": "1", "TASKS_TIME_LIMIT": "2"}
    # Not start_worker: this one may die before it is seen registered.
    args = [sys.executable, str(ROOT / "manage.py"), "worker", "--heartbeat", str(HEARTBEAT)]
    first = stack.spawn(args, "worker.log", env={**stack.env, **limits})
    assert first.wait(timeout=STARTUP_TIMEOUT) == -signal.SIGKILL  # the task killed it
    stack.running.remove(first)

    second = stack.start_worker(**limits)

    def settled() -> bool:
        state, finished = stack.queue_state(), _marks(path)[1]
        return state["queued"] == 0 and state["dead"] == 1 and finished["after"] == 1

    _wait_until("the poison task to be buried and the others to run", settled)
    assert second.poll() is None  # the second worker lives on
    started, finished = _marks(path)
    assert (started["poison"], started["hang"], finished["hang"]) == (1, 1, 0)  # run once each; cut off
    assert sum(stack.workers().values()) == 0
    log = (stack.tmp / "worker.log").read_text(errors="replace")
    assert f"task {task}die (id " in log and "moved to the dead letters after 1 attempt(s)" in log
    assert f"task {task}mark failed: stopped after the time limit of 2 s" in log
    stack.kill(second)

    listed = stack.manage("worker", "--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[-1].endswith(", 1 dead")
    requeued = stack.manage("worker", "--requeue-dead")
    assert (requeued.returncode, requeued.stdout) == (0, "requeued 1 dead-letter task(s)\n")
    assert (stack.queue_state()["queued"], stack.queue_state()["dead"]) == (1, 0)
    stack.redis.delete(tasks.task_keys(stack.prefix).queue)  # not to be run: it would kill a worker again
