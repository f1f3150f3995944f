"""Background tasks and the periodic-job registry."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command

from gongkai import tasks
from gongkai.core.models import JobRun

pytestmark = pytest.mark.django_db

# This pytest process's own task keys: a SQLite and a PostgreSQL run on one Redis never meet.
PREFIX = f"gongkai-test-{os.getpid()}"


@pytest.fixture(autouse=True)
def own_task_keys(settings):
    settings.TASKS_KEY_PREFIX = PREFIX


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
    tasks._redis().delete(tasks.task_keys().queue)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue("gongkai.workdays.calendar.recompute_open_clocks_job")
    item = tasks.pop_task(timeout=1)
    assert len(item.pop("id")) == 32  # each entry has an id its claims are counted under
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


def hang(**kwargs):
    """Hangs like a network call that never returns; a broad ``except`` in it cannot keep it going."""
    try:
        time.sleep(30)
    except Exception:
        RAN.append({"swallowed": True})
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

    def clean():  # this run's keys only, under every prefix the tests below derive from it
        keys = list(client.scan_iter(match=f"{PREFIX}:*"))
        if keys:
            client.delete(*keys)

    clean()
    RAN.clear()
    yield client
    clean()
    RAN.clear()


def _push(client, func, *, prefix=None, **kwargs):
    """Queue a task as ``enqueue`` does (with an id); return the id."""
    task_id = os.urandom(8).hex()
    entry = {"id": task_id, "func": func, "kwargs": kwargs}
    client.lpush(tasks.task_keys(prefix).queue, json.dumps(entry))
    return task_id


def test_a_claimed_task_waits_in_the_processing_list_until_it_ran(queue):
    for n in (1, 2):
        _push(queue, "tests.core.test_tasks.record_run", n=n)
    worker = tasks.TaskWorker(client=queue)
    worker.beat()
    task = worker.claim(timeout=1)
    assert (task.func, task.kwargs) == ("tests.core.test_tasks.record_run", {"n": 1})  # oldest first
    assert tasks.queue_state(queue) == {"queued": 1, "dead": 0, worker.id: 1}
    worker.run(task)
    assert RAN == [{"n": 1}]
    assert tasks.queue_state(queue) == {"queued": 1, "dead": 0, worker.id: 0}
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
    assert tasks.queue_state(queue) == {
        "queued": 3,
        "dead": 0,
        survivor.id: 0,
    }  # the dead worker is written off
    while (task := survivor.claim(timeout=0.1)) is not None:
        survivor.run(task)
    survivor.stop()
    assert RAN == [{"n": 1}, {"n": 2}, {"n": 3}]  # the requeued tasks keep their place in line
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0}


def test_a_live_workers_tasks_are_left_alone(queue):
    _push(queue, "tests.core.test_tasks.record_run", n=1)
    busy = tasks.TaskWorker(client=queue, heartbeat_ttl=60)
    busy.beat()
    task = busy.claim(timeout=1)
    assert tasks.requeue_dead_workers(queue) == 0
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0, busy.id: 1}
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
    assert RAN == [{"n": 1}] and tasks.queue_state(queue) == {"queued": 0, "dead": 0}


def test_an_expired_heartbeat_counts_as_dead(queue):
    import time

    _push(queue, "tests.core.test_tasks.record_run", n=1)
    gone = tasks.TaskWorker(client=queue, heartbeat_ttl=1)
    gone.beat()  # no heartbeat thread: as if the process had been killed right after the claim
    assert gone.claim(timeout=1) is not None
    time.sleep(1.3)
    assert tasks.requeue_dead_workers(queue, skip=gone.id) == 0  # never by the stalled worker itself
    assert tasks.requeue_dead_workers(queue) == 1
    assert tasks.queue_state(queue) == {"queued": 1, "dead": 0}


def test_a_failing_task_is_logged_and_acknowledged_not_retried(queue, caplog):
    _push(queue, "tests.core.test_tasks.fail_always")
    worker = tasks.TaskWorker(client=queue)
    worker.beat()
    worker.run(worker.claim(timeout=1))
    assert "task tests.core.test_tasks.fail_always failed" in caplog.text
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0, worker.id: 0}
    worker.stop()


def test_a_malformed_entry_is_dropped_with_a_log_line(queue, caplog):
    queue.lpush(tasks.task_keys().queue, b"not json")
    queue.lpush(tasks.task_keys().queue, b'{"kwargs": {}}')
    worker = tasks.TaskWorker(client=queue)
    assert worker.claim(timeout=1) is None and worker.claim(timeout=1) is None
    assert caplog.text.count("dropping a malformed task") == 2
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0, worker.id: 0}
    worker.stop()


def test_a_stopping_worker_hands_back_what_it_claimed(queue):
    _push(queue, "tests.core.test_tasks.record_run", n=1)
    worker = tasks.TaskWorker(client=queue)
    worker.start()
    assert worker.claim(timeout=1) is not None
    worker.stop()
    assert tasks.queue_state(queue) == {"queued": 1, "dead": 0}
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
    assert tasks.queue_state(queue) == {"queued": 1, "dead": 0}


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
    assert lines[-1] == "tasks: 1 queued, 0 claimed by 0 registered worker(s), 0 dead"


# --- key prefixes, poison tasks, time limits ------------------------------------------------------


def test_the_task_settings_default_to_the_cache_prefix_five_attempts_and_ten_minutes():
    code = "import gongkai.settings as s; print(s.TASKS_KEY_PREFIX, s.TASKS_MAX_ATTEMPTS, s.TASKS_TIME_LIMIT)"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TASKS_", "CACHE_KEY_PREFIX"))}

    def read(**env):
        done = subprocess.run(
            [sys.executable, "-c", code], env={**base, "GONGKAI_ENV": "test", **env},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert read() == ["gongkai", "5", "600"]  # the keys of the previous release: its queue is consumed
    assert read(CACHE_KEY_PREFIX="staging") == ["staging", "5", "600"]
    assert read(CACHE_KEY_PREFIX="staging", TASKS_KEY_PREFIX="prod", TASKS_MAX_ATTEMPTS="2", TASKS_TIME_LIMIT="0") == [
        "prod", "2", "0"
    ]  # fmt: skip


def test_two_prefixes_on_one_redis_never_take_each_others_tasks(queue, settings):
    staging, production = f"{PREFIX}:staging", f"{PREFIX}:production"
    _push(queue, "tests.core.test_tasks.record_run", prefix=staging, n=1)
    settings.TASKS_KEY_PREFIX = production  # read when called, not when imported
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda send: send())
        tasks.enqueue("tests.core.test_tasks.record_run", n=2)
    settings.TASKS_KEY_PREFIX = PREFIX

    prod_worker = tasks.TaskWorker(client=queue, prefix=production)
    task = prod_worker.claim(timeout=1)
    assert task.kwargs == {"n": 2}
    assert prod_worker.claim(timeout=0.2) is None  # staging's task stays where it is
    assert tasks.queue_state(queue, prefix=staging) == {"queued": 1, "dead": 0}
    queue.delete(prod_worker.alive_key)  # production's worker dies with its task in hand...

    staging_worker = tasks.TaskWorker(client=queue, prefix=staging, heartbeat_ttl=60)
    assert staging_worker.start() == 0  # ...and a staging worker leaves it alone
    while (task := staging_worker.claim(timeout=0.2)) is not None:
        staging_worker.run(task)
    staging_worker.stop()
    assert RAN == [{"n": 1}]
    assert tasks.queue_state(queue, prefix=production) == {"queued": 0, "dead": 0, prod_worker.id: 1}
    assert tasks.requeue_dead_workers(queue, prefix=production) == 1
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0}  # nothing under the default prefix


def _die_holding_the_next_task(client):
    """A worker claims the next task and dies with it (SIGKILL, out of memory); it is requeued."""
    doomed = tasks.TaskWorker(client=client, heartbeat_ttl=60)
    doomed.beat()
    task = doomed.claim(timeout=1)
    client.delete(doomed.alive_key)  # its heartbeat expired
    assert tasks.requeue_dead_workers(client) == (1 if task is not None else 0)
    return task


def test_a_task_that_kills_its_worker_every_time_goes_to_the_dead_letters(queue, settings, caplog):
    settings.TASKS_MAX_ATTEMPTS = 3
    task_id = _push(queue, "tests.core.test_tasks.record_run", n=1)
    attempts = [_die_holding_the_next_task(queue).attempts for _ in range(3)]
    assert attempts == [1, 2, 3]
    assert int(queue.hget(tasks.task_keys().attempts, task_id)) == 3

    worker = tasks.TaskWorker(client=queue)
    assert worker.claim(timeout=1) is None  # the fourth claim buries it instead of running it
    assert RAN == []
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 1, worker.id: 0}
    assert queue.hget(tasks.task_keys().attempts, task_id) is None
    expected = (
        f"task tests.core.test_tasks.record_run (id {task_id}) moved to the dead letters after 3 attempt(s)"
    )
    assert expected in caplog.text
    assert [r.levelname for r in caplog.records if "dead letters" in r.message] == ["ERROR"]
    worker.stop()


def test_a_task_that_ran_forgets_its_claims_and_an_exception_is_not_a_death(queue, settings):
    settings.TASKS_MAX_ATTEMPTS = 2
    ran_id = _push(queue, "tests.core.test_tasks.record_run", n=1)
    _push(queue, "tests.core.test_tasks.fail_always")
    _die_holding_the_next_task(queue)
    worker = tasks.TaskWorker(client=queue)
    task = worker.claim(timeout=1)
    assert (task.id, task.attempts) == (ran_id, 2)
    worker.run(task)
    assert queue.hget(tasks.task_keys().attempts, ran_id) is None
    for _ in range(3):  # raising every time: logged and acknowledged each time, never buried
        _push(queue, "tests.core.test_tasks.fail_always")
    while (task := worker.claim(timeout=0.2)) is not None:
        assert task.attempts == 1
        worker.run(task)
    assert queue.hlen(tasks.task_keys().attempts) == 0
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0, worker.id: 0}
    assert RAN == [{"n": 1}]
    worker.stop()


def test_an_entry_queued_by_the_previous_release_without_an_id_runs(queue, settings):
    settings.TASKS_MAX_ATTEMPTS = 1
    old = {"func": "tests.core.test_tasks.record_run", "kwargs": {"n": 1}}
    queue.lpush(tasks.task_keys().queue, json.dumps(old))
    worker = tasks.TaskWorker(client=queue)
    task = worker.claim(timeout=1)
    assert task.id.startswith("sha1:") and task.attempts == 1  # counted by its content
    worker.run(task)
    assert RAN == [{"n": 1}]
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0, worker.id: 0}
    assert queue.hlen(tasks.task_keys().attempts) == 0

    queue.lpush(tasks.task_keys().queue, json.dumps(old))  # and one that kills its worker is buried too
    _die_holding_the_next_task(queue)
    assert worker.claim(timeout=1) is None
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 1, worker.id: 0}
    assert RAN == [{"n": 1}]
    worker.stop()


def test_a_task_past_the_time_limit_is_stopped_and_acknowledged_and_the_next_runs(queue, caplog):
    _push(queue, "tests.core.test_tasks.hang", n=1)
    _push(queue, "tests.core.test_tasks.record_run", n=2)
    before = signal.getsignal(signal.SIGALRM)
    worker = tasks.TaskWorker(client=queue, time_limit=0.5)
    started = time.monotonic()
    worker.run(worker.claim(timeout=1))
    assert time.monotonic() - started < 10
    assert RAN == []  # interrupted; its own `except Exception` did not catch the interruption
    assert "task tests.core.test_tasks.hang failed: stopped after the time limit of 0.5 s" in caplog.text
    assert tasks.queue_state(queue) == {"queued": 1, "dead": 0, worker.id: 0}  # acknowledged, not retried
    assert signal.getsignal(signal.SIGALRM) is before
    worker.run(worker.claim(timeout=1))
    assert RAN == [{"n": 2}]
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0, worker.id: 0}
    assert queue.hlen(tasks.task_keys().attempts) == 0
    worker.stop()


def test_the_worker_command_applies_the_time_limit_setting(world, queue, settings, monkeypatch, caplog):
    from gongkai.core.management.commands import worker

    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    settings.TASKS_TIME_LIMIT = 1
    _push(queue, "tests.core.test_tasks.hang", n=1)
    _push(queue, "tests.core.test_tasks.stop_the_worker_midway", n=2)
    started = time.monotonic()
    call_command("worker", stdout=StringIO())
    assert time.monotonic() - started < 20
    assert RAN == [{"n": 2}]
    assert "task tests.core.test_tasks.hang failed: stopped after the time limit of 1 s" in caplog.text
    assert tasks.queue_state(queue) == {"queued": 0, "dead": 0}


def test_requeue_dead_puts_the_dead_letters_back_with_their_claims_forgotten(world, queue, settings):
    settings.TASKS_MAX_ATTEMPTS = 1
    for n in (1, 2):
        _push(queue, "tests.core.test_tasks.record_run", n=n)
        _die_holding_the_next_task(queue)
        assert tasks.TaskWorker(client=queue).claim(timeout=1) is None
    _push(queue, "tests.core.test_tasks.record_run", n=3)
    out = StringIO()
    call_command("worker", "--list", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("tasks: 1 queued, 0 claimed by ")
    assert out.getvalue().splitlines()[-1].endswith(" registered worker(s), 2 dead")

    out = StringIO()
    call_command("worker", "--requeue-dead", stdout=out)
    assert out.getvalue() == "requeued 2 dead-letter task(s)\n"
    state = tasks.queue_state(queue)
    assert (state["queued"], state["dead"]) == (3, 0)
    worker = tasks.TaskWorker(client=queue)
    while (task := worker.claim(timeout=0.2)) is not None:
        assert task.attempts == 1  # a fresh start: its earlier deaths are forgotten
        worker.run(task)
    worker.stop()
    assert RAN == [{"n": 3}, {"n": 1}, {"n": 2}]  # at the end of the line, oldest first

    out = StringIO()
    call_command("worker", "--requeue-dead", stdout=out)
    assert out.getvalue() == "requeued 0 dead-letter task(s)\n"


def test_requeue_dead_needs_the_redis_backend(settings):
    from django.core.management.base import CommandError

    settings.TASKS_BACKEND = "inline"
    with pytest.raises(CommandError, match="TASKS_BACKEND=redis"):
        call_command("worker", "--requeue-dead", stdout=StringIO())
