"""The system status page: platform administrators only; backups, jobs, the queue, the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai import tasks
from gongkai.core.models import BackupRun, JobRun
from gongkai.office import views_status

URL = "/office/status/"
MB = 1024 * 1024


def backup_run(hours_ago: float, status: str = "ok", **fields: Any) -> BackupRun:
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    defaults = {"archive": f"gongkai-backup-{finished:%Y%m%d-%H%M%S}.tar", "size": 2 * MB, "rows": 1234,
                "media_files": 7} if status == "ok" else {"message": "pg_dump failed (exit code 1)"}  # fmt: skip
    return BackupRun.objects.create(
        started_at=finished - dt.timedelta(minutes=3), finished_at=finished, status=status,
        **{**defaults, **fields},
    )  # fmt: skip


def jobs_on_time(**overrides: dt.datetime) -> None:
    """Every job ran a minute ago and is due at its next interval (``overrides``: a job's next run)."""
    now = timezone.now()
    for job in tasks.JOBS.values():
        JobRun.objects.create(
            name=job.name, next_run_at=overrides.get(job.name, now - dt.timedelta(minutes=1) + job.every),
            last_started_at=now - dt.timedelta(minutes=1), last_finished_at=now - dt.timedelta(seconds=50),
            last_status="ok", last_message=f"{job.name}: 3 done",
        )  # fmt: skip


def page(as_: Any, who: str = "root") -> str:
    response = as_(who).get(URL)
    assert response.status_code == 200
    return response.content.decode()


# --- who may open it -----------------------------------------------------------------------------


def test_a_platform_administrator_sees_the_figures(world, as_):
    backup_run(30, archive="old.tar")
    backup_run(2, archive="gongkai-backup-nightly.tar", size=2 * MB, rows=98765, media_files=42)
    jobs_on_time()
    html = page(as_)
    assert "gongkai-backup-nightly.tar" in html and "old.tar" in html
    assert "2.0\xa0MB" in html and "98765" in html and "42" in html
    assert "Last successful backup:" in html and "2\xa0hours ago" in html
    for job in tasks.JOBS.values():
        assert f"{job.name}: 3 done" in html
    assert connection.display_name in html
    assert f'<dd id="migrations">{MigrationRecorder(connection).migration_qs.count()}</dd>' in html
    for warning in ("backup-stale", "backup-failed", "jobs-overdue", "queue-dead"):
        assert f'id="{warning}"' not in html, warning
    assert 'href="/office/status/" aria-current="page"' in html  # the nav links here for admins


@pytest.mark.parametrize(
    "persona",
    ["citizen", "clerk_a", "clerk_b", "reviewer", "supervisor", "window", "county_admin", "other_admin"],
)
def test_everyone_else_is_refused(world, as_, persona):
    backup_run(2, archive="secret-name.tar")
    client = as_(persona)
    response = client.get(URL)
    assert response.status_code == 403
    assert "secret-name.tar" not in response.content.decode()
    if persona != "citizen":  # staff do not even see the link
        assert "/office/status/" not in client.get("/office/").content.decode()


def test_the_anonymous_are_sent_to_log_in(world, as_):
    response = as_("anonymous").get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")


def test_an_inactive_superuser_is_not_a_platform_administrator(world, as_):
    world.root.is_active = False
    world.root.save(update_fields=["is_active"])
    assert as_("root").get(URL).status_code in (302, 403)


def test_it_only_reads(world, as_):
    assert as_("root").post(URL).status_code == 405


# --- backups -------------------------------------------------------------------------------------


def test_no_backup_at_all_is_a_warning(world, as_):
    jobs_on_time()
    html = page(as_)
    assert 'id="backup-stale"' in html and "No successful backup in the last 26 hours." in html
    assert "No successful backup has been recorded." in html and "No backup has run yet." in html


@pytest.mark.parametrize("hours,stale", [(25, False), (27, True)])
def test_the_last_successful_backup_must_be_younger_than_26_hours(world, as_, hours, stale):
    backup_run(hours)
    assert ('id="backup-stale"' in page(as_)) is stale


def test_a_failed_last_attempt_is_a_warning_even_after_a_recent_success(world, as_):
    backup_run(5)
    backup_run(1, status="error", message="pg_dump failed (exit code 1): disk full")
    html = page(as_)
    assert 'id="backup-failed"' in html and "disk full" in html
    assert 'id="backup-stale"' not in html  # the earlier success is still recent
    backup_run(0.5)
    assert 'id="backup-failed"' not in page(as_)


def test_only_the_last_ten_runs_are_listed(world, as_):
    for n in range(12):
        backup_run(n + 1, archive=f"run-{n:02d}.tar")
    html = page(as_)
    assert "run-00.tar" in html and "run-09.tar" in html
    assert "run-10.tar" not in html and "run-11.tar" not in html


# --- periodic jobs --------------------------------------------------------------------------------


def test_a_job_late_by_more_than_twice_its_interval_is_overdue(world, as_):
    job = tasks.JOBS["supervision.scan"]  # every 30 minutes
    now = timezone.now()
    jobs_on_time(**{job.name: now - 2 * job.every - dt.timedelta(minutes=1)})
    html = page(as_)
    assert 'id="jobs-overdue"' in html and "1 job is overdue" in html
    row = html.split('id="job-supervisionscan"')[1].split("</tr>")[0]
    assert "overdue" in row


def test_a_job_late_by_less_than_twice_its_interval_is_not(world, as_):
    job = tasks.JOBS["supervision.scan"]
    jobs_on_time(**{job.name: timezone.now() - 2 * job.every + dt.timedelta(minutes=1)})
    html = page(as_)
    assert 'id="jobs-overdue"' not in html and '<span class="tag err">overdue</span>' not in html


def test_a_job_that_never_ran_is_overdue(world, as_):
    jobs_on_time()
    JobRun.objects.filter(name="audit.verify").delete()
    html = page(as_)
    assert "1 job is overdue" in html
    assert "never ran" in html.split('id="job-auditverify"')[1].split("</tr>")[0]


def test_job_status_reads_a_running_job_and_the_last_line_of_a_traceback():
    job = tasks.JOBS["audit.verify"]
    now = timezone.now()
    run = JobRun(name=job.name, next_run_at=now + job.every, last_started_at=now,
                 last_finished_at=now - job.every, last_status="error",
                 last_message="Traceback (most recent call last):\n  File x\nValueError: broken\n\n")  # fmt: skip
    status = views_status.job_status(job, run, now)
    assert status.running and not status.overdue and status.message_line == "ValueError: broken"
    assert views_status.last_line("") == "" and views_status.last_line("x" * 1000) == "x" * 300


def test_a_job_message_is_escaped(world, as_):
    jobs_on_time()
    JobRun.objects.filter(name="audit.verify").update(
        last_status="error", last_message='first line\n<script>alert("x")</script><b>bold</b>'
    )
    backup_run(1, status="error", message="<img src=x onerror=alert(1)>")
    html = page(as_)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html


# --- the task queue and Redis ---------------------------------------------------------------------


class FakeRedis:
    def __init__(self, answers: bool = True) -> None:
        self.answers = answers

    def ping(self) -> bool:
        if not self.answers:
            raise ConnectionError("refused")
        return True


@pytest.fixture
def redis_backend(settings, monkeypatch):
    """Redis configured; ``set(state, answers)`` decides what the fake server says."""
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.TASKS_BACKEND = "redis"

    def set_state(state: dict[str, int], answers: bool = True) -> None:
        monkeypatch.setattr(redis.Redis, "from_url", staticmethod(lambda *a, **k: FakeRedis(answers)))
        monkeypatch.setattr(tasks, "queue_state", lambda client: dict(state))

    return set_state


def test_every_figure_of_the_queue_is_shown_and_dead_tasks_are_a_warning(world, as_, redis_backend):
    redis_backend({"queued": 4, "dead": 2, "web1:812:ab12cd34": 1, "later_figure": 9})
    html = page(as_)
    assert "Waiting in the queue" in html and "Claimed by worker web1:812:ab12cd34" in html
    assert "<code>later_figure</code>" in html and '<td class="num">9</td>' in html
    assert 'id="queue-dead"' in html and "2 tasks are dead." in html
    assert '<span class="tag ok">answers</span>' in html


@pytest.mark.parametrize("state", [{"queued": 0, "dead": 0}, {"queued": 3}])
def test_no_dead_tasks_no_warning(world, as_, redis_backend, state):
    redis_backend(state)
    html = page(as_)
    assert 'id="queue-dead"' not in html and "Waiting in the queue" in html


def test_a_redis_that_does_not_answer_is_reported(world, as_, redis_backend):
    redis_backend({"queued": 1}, answers=False)
    html = page(as_)
    assert "does not answer" in html and "ConnectionError" in html
    assert "The queue cannot be read" in html and "Waiting in the queue" not in html


def test_without_redis_the_page_says_so(world, as_, settings):
    settings.REDIS_URL, settings.TASKS_BACKEND = "", "inline"
    html = page(as_)
    assert "not configured (REDIS_URL is empty)" in html and "(no queue)" in html


# --- a fixed number of queries --------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow(world, as_, django_assert_max_num_queries):
    client = as_("root")
    backup_run(3)
    JobRun.objects.create(name="audit.verify", next_run_at=timezone.now())
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for n in range(15):
        backup_run(n + 4, status="error" if n % 3 else "ok")
    JobRun.objects.all().delete()
    jobs_on_time()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == 200
