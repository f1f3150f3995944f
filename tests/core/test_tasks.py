"""Background tasks and the periodic-job registry."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from gongkai import tasks
from gongkai.core.models import JobRun

pytestmark = pytest.mark.django_db


def test_every_registered_job_resolves_and_runs(world):
    results = dict(tasks.run_due_jobs(force=True))
    assert set(results) == set(tasks.JOBS)
    assert set(results.values()) == {"ok"}
    assert JobRun.objects.filter(last_status="ok").count() == len(tasks.JOBS)


def test_a_job_is_claimed_once_until_it_is_due_again(world):
    job = next(iter(tasks.JOBS.values()))
    assert tasks.claim_job(job) is True
    assert tasks.claim_job(job) is False  # a second worker finds it already claimed


def test_the_worker_command_runs_due_jobs_once(world):
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "audit.verify: ok" in out.getvalue()
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue() == ""  # nothing is due again yet


def test_inline_tasks_run_only_after_commit(world, django_capture_on_commit_callbacks, settings):
    settings.TASKS_BACKEND = "inline"  # also when the suite runs with REDIS_URL set
    seen = []
    tasks._resolve = lambda path: lambda **kw: seen.append(kw)  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            tasks.enqueue("anything.at_all", n=1)
        assert seen == []
        for cb in callbacks:
            cb()
        assert seen == [{"n": 1}]
    finally:
        import importlib

        importlib.reload(tasks)


def test_old_login_failures_are_forgotten_but_active_locks_kept(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    from gongkai.accounts import throttle
    from gongkai.accounts.models import LoginFailure

    throttle.register_failure("ghost", "10.0.0.1")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        throttle.register_failure("locked", None)
    old = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES * 3)
    LoginFailure.objects.filter(key__in=["user:ghost", "addr:10.0.0.1"]).update(last_failure_at=old)
    assert throttle.purge_job() == "2 old login failures forgotten"
    assert set(LoginFailure.objects.values_list("key", flat=True)) == {"user:locked"}


def test_the_redis_backend_queues_tasks_for_the_worker(world, settings, django_capture_on_commit_callbacks):
    """Redis runs beside the test suite (127.0.0.1:6379) as it does in production."""
    settings.TASKS_BACKEND = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    tasks._redis().delete(tasks.QUEUE_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue("gongkai.workdays.calendar.recompute_open_clocks_job")
    item = tasks.pop_task(timeout=1)
    assert item == {"func": "gongkai.workdays.calendar.recompute_open_clocks_job", "kwargs": {}}
    assert tasks.pop_task(timeout=1) is None
    tasks.run_task(item["func"], item["kwargs"])  # what the worker does with it


# --- the reliable Redis queue (at-least-once delivery) ---------------------------------------------

REDIS_DB5 = "redis://127.0.0.1:6379/5"
RAN: list[dict] = []


def record_run(**kwargs):
    """A task for the tests below: remembers its arguments."""
    RAN.append(kwargs)


def fail_always(**kwargs):
    raise RuntimeError("this task always fails")


def stop_the_worker_midway(**kwargs):
    """Sends this process SIGTERM while running, as systemd does, then finishes its work."""
    import os
    import signal
    import time

    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.2)  # the signal arrives while the task is still running
    RAN.append(kwargs)


@pytest.fixture
def queue(settings):
    """The Redis backend on database 5, with the task keys empty before and after."""
    settings.TASKS_BACKEND = "redis"
    settings.REDIS_URL = REDIS_DB5
    client = tasks._redis()
    try:
        client.ping()
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")

    def clean():
        keys = list(client.scan_iter(match="gongkai:tasks*"))
        if keys:
            client.delete(*keys)

    clean()
    RAN.clear()
    yield client
    clean()
    RAN.clear()


def _push(client, func, **kwargs):
    import json

    client.lpush(tasks.QUEUE_KEY, json.dumps({"func": func, "kwargs": kwargs}))


def test_a_claimed_task_waits_in_the_processing_list_until_it_ran(queue):
    for n in (1, 2):
        _push(queue, "tests.core.test_tasks.record_run", n=n)
    worker = tasks.TaskWorker(client=queue)
    worker.beat()
    task = worker.claim(timeout=1)
    assert (task.func, task.kwargs) == ("tests.core.test_tasks.record_run", {"n": 1})  # oldest first
    assert tasks.queue_state(queue) == {"queued": 1, worker.id: 1}
    worker.run(task)
    assert RAN == [{"n": 1}]
    assert tasks.queue_state(queue) == {"queued": 1, worker.id: 0}
    worker.stop()


def test_a_dead_workers_tasks_go_back_to_the_queue_and_run_once_more(queue):
    for n in (1, 2, 3):
        _push(queue, "tests.core.test_tasks.record_run", n=n)
    dead = tasks.TaskWorker(client=queue, heartbeat_ttl=60)
    dead.beat()
    first, second = dead.claim(timeout=1), dead.claim(timeout=1)
    assert (first.kwargs, second.kwargs) == ({"n": 1}, {"n": 2})
    queue.delete(dead.alive_key)  # what SIGKILL amounts to once the heartbeat's time is up

    survivor = tasks.TaskWorker(client=queue, heartbeat_ttl=60)
    assert survivor.start() == 2
    assert tasks.queue_state(queue) == {"queued": 3, survivor.id: 0}  # the dead worker is written off
    while (task := survivor.claim(timeout=0.1)) is not None:
        survivor.run(task)
    survivor.stop()
    assert RAN == [{"n": 1}, {"n": 2}, {"n": 3}]  # the requeued tasks keep their place in line
    assert tasks.queue_state(queue) == {"queued": 0}


def test_a_live_workers_tasks_are_left_alone(queue):
    _push(queue, "tests.core.test_tasks.record_run", n=1)
    busy = tasks.TaskWorker(client=queue, heartbeat_ttl=60)
    busy.beat()
    task = busy.claim(timeout=1)
    assert tasks.requeue_dead_workers(queue) == 0
    assert tasks.queue_state(queue) == {"queued": 0, busy.id: 1}
    busy.run(task)
    busy.stop()
    assert RAN == [{"n": 1}]


def test_the_heartbeat_keeps_a_long_task_from_being_taken_over(queue):
    import time

    _push(queue, "tests.core.test_tasks.record_run", n=1)
    slow = tasks.TaskWorker(client=queue, heartbeat_ttl=1.5)
    slow.start()
    task = slow.claim(timeout=1)
    time.sleep(2.5)  # longer than the heartbeat's time to live: the thread renews it
    assert tasks.requeue_dead_workers(queue) == 0
    slow.run(task)
    slow.stop()
    assert RAN == [{"n": 1}] and tasks.queue_state(queue) == {"queued": 0}


def test_an_expired_heartbeat_counts_as_dead(queue):
    import time

    _push(queue, "tests.core.test_tasks.record_run", n=1)
    gone = tasks.TaskWorker(client=queue, heartbeat_ttl=1)
    gone.beat()  # no heartbeat thread: as if the process had been killed right after the claim
    assert gone.claim(timeout=1) is not None
    time.sleep(1.3)
    assert tasks.requeue_dead_workers(queue, skip=gone.id) == 0  # never by the stalled worker itself
    assert tasks.requeue_dead_workers(queue) == 1
    assert tasks.queue_state(queue) == {"queued": 1}


def test_a_failing_task_is_logged_and_acknowledged_not_retried(queue, caplog):
    _push(queue, "tests.core.test_tasks.fail_always")
    worker = tasks.TaskWorker(client=queue)
    worker.beat()
    worker.run(worker.claim(timeout=1))
    assert "task tests.core.test_tasks.fail_always failed" in caplog.text
    assert tasks.queue_state(queue) == {"queued": 0, worker.id: 0}
    worker.stop()


def test_a_malformed_entry_is_dropped_with_a_log_line(queue, caplog):
    queue.lpush(tasks.QUEUE_KEY, b"not json")
    queue.lpush(tasks.QUEUE_KEY, b'{"kwargs": {}}')
    worker = tasks.TaskWorker(client=queue)
    assert worker.claim(timeout=1) is None and worker.claim(timeout=1) is None
    assert caplog.text.count("dropping a malformed task") == 2
    assert tasks.queue_state(queue) == {"queued": 0, worker.id: 0}
    worker.stop()


def test_a_stopping_worker_hands_back_what_it_claimed(queue):
    _push(queue, "tests.core.test_tasks.record_run", n=1)
    worker = tasks.TaskWorker(client=queue)
    worker.start()
    assert worker.claim(timeout=1) is not None
    worker.stop()
    assert tasks.queue_state(queue) == {"queued": 1}
    assert not queue.exists(worker.alive_key)


def test_the_worker_finishes_its_task_on_sigterm_then_exits(world, queue, monkeypatch):
    from gongkai.core.management.commands import worker

    # The worker drops stale connections between tasks; here that would end the test's transaction.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    _push(queue, "tests.core.test_tasks.stop_the_worker_midway", n=1)
    _push(queue, "tests.core.test_tasks.record_run", n=2)
    out = StringIO()
    call_command("worker", stdout=out)  # returns only because SIGTERM stopped it
    assert RAN == [{"n": 1}]  # the task in hand completed; the next one was left queued
    assert "finishing the current task, then stopping" in out.getvalue()
    assert out.getvalue().rstrip().endswith("worker stopped")
    assert tasks.queue_state(queue) == {"queued": 1}


def test_the_worker_refuses_a_heartbeat_under_a_second(queue):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1 second"):
        call_command("worker", "--heartbeat", "0.5", stdout=StringIO())


def test_the_job_list_shows_each_jobs_last_run_and_the_queue(world, queue):
    call_command("worker", "--once", stdout=StringIO())
    _push(queue, "tests.core.test_tasks.record_run", n=1)
    out = StringIO()
    call_command("worker", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(tasks.JOBS) + 1
    audit = next(line for line in lines if line.startswith("audit.verify\t"))
    assert " ok: chain intact\t" in audit
    assert lines[-1] == "tasks: 1 queued, 0 claimed by 0 registered worker(s)"
