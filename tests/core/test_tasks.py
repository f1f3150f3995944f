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


def test_inline_tasks_run_only_after_commit(world, django_capture_on_commit_callbacks):
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
