"""``gongkai backup`` / ``gongkai restore``: a full round trip, and every archive that must be refused.

The tests commit their data (``transaction=True``) because pg_dump and pg_restore work through their
own connections. On PostgreSQL they back up and restore pytest-django's test database
(test_<name in DATABASE_URL>) and, for the fresh-machine case, a database of their own named
``<name in DATABASE_URL>_restore``; on SQLite the test database is in memory and the fresh machine is a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.utils import timezone, translation

from gongkai.applications import actions as application_actions
from gongkai.audit.log import verify
from gongkai.core import backup
from gongkai.core.backup import BackupError, create_backup, restore_backup, table_counts, verify_backup
from gongkai.core.models import BackupRun
from gongkai.disclosure import actions as disclosure_actions
from gongkai.interaction import actions as interaction_actions
from gongkai.interaction.models import Category
from tests import factories
from tests.applications.conftest import PERSON
from tests.interaction.conftest import LETTER
from tests.services.conftest import Svc

committed = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + os.urandom(64).hex().encode()


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The messages are matched in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def county(world: Any, media: Path) -> dict[str, Any]:
    """An org tree (``world``), a published item with an attachment, an application, a letter, a case."""
    svc = Svc(world)  # first: it adds a centre, and role scopes are cached per user
    item = disclosure_actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="攸县财政局2025年部门预算",
        summary="部门预算公开。", body="<p>预算表见附件。</p>", formed_on=date(2025, 9, 26),
    )  # fmt: skip
    attachment = disclosure_actions.add_attachment(
        actor=world.clerk_a, item=item, name="预算表.pdf", data=PDF
    )
    disclosure_actions.submit_item(actor=world.clerk_a, item=item)
    item = disclosure_actions.publish_item(actor=world.reviewer, item=item, published_on=date(2025, 10, 9))
    application, _ = application_actions.register_application(
        actor=world.reviewer, organisation=world.unit_a, channel="in_person", submitted_on=date(2025, 9, 26),
        **PERSON,
    )  # fmt: skip
    mailbox = interaction_actions.create_channel(
        actor=world.county_admin, organisation=world.county, kind="mailbox", name="县长信箱"
    )
    letter, _ = interaction_actions.submit_letter(
        actor=None, channel=mailbox, category=Category.objects.get(code="complaint"), **LETTER
    )
    interaction_actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    case, _ = svc.receive()
    return {"item": item, "attachment": attachment, "application": application, "letter": letter,
            "case": case, "svc": svc}  # fmt: skip


def state() -> dict[str, tuple[int, str]]:
    """Every model's table: its row count and a digest of its rows in primary-key order."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        rows = list(model._base_manager.order_by("pk").values_list())
        out[model._meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def change_everything(world: Any, county: dict[str, Any]) -> None:
    """What happens after a backup: new records, changed records, a lost file."""
    disclosure_actions.withdraw_item(actor=world.reviewer, item=county["item"], reason="内容有误")
    application_actions.register_application(
        actor=world.reviewer, organisation=world.unit_b, channel="in_person", submitted_on=date(2025, 10, 8),
        **{**PERSON, "info_title": "2025年教育经费"},
    )  # fmt: skip
    factories.make_org(actor=world.root, parent=world.county, name="攸县审计局")
    county["svc"].receive()
    default_storage.delete(county["attachment"].file.name)


@committed
def test_a_restore_brings_back_every_row_and_file_and_the_audit_chain(world, county, tmp_path):
    before = state()
    archive, manifest = create_backup(tmp_path / "b.tar")
    assert manifest["tables"] == table_counts()
    assert manifest["database"]["vendor"] == connection.vendor
    stored = county["attachment"].file.name
    assert manifest["members"][f"media/{stored}"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)

    change_everything(world, county)
    assert state() != before and not default_storage.exists(stored)

    result = restore_backup(archive, force=True)

    assert result.count_mismatches == {} and result.media_files == 1 and not result.migrated
    after = state()
    assert {t: n for t, (n, _) in after.items()} == {t: n for t, (n, _) in before.items()}
    assert after == before
    assert table_counts() == manifest["tables"]
    with default_storage.open(stored, "rb") as fh:
        assert fh.read() == PDF
    assert verify() == []
    call_command("audit", "verify", stdout=io.StringIO())  # raises CommandError on a broken chain


def _copy_with(src: Path, dst: Path, manifest_change: Any) -> None:
    """Rewrite an archive with a changed manifest (the members and their checksums stay)."""
    with tarfile.open(src) as tin, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tout:
        for info in tin.getmembers():
            data = tin.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
                info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


def _truncated(src: Path, dst: Path) -> None:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) * 2 // 3])


def _altered(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes())
    with tarfile.open(dst) as tar:
        info = tar.getmember(tar.getnames()[0])  # the database
    with open(dst, "r+b") as fh:
        fh.seek(info.offset_data + info.size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))


def _other_vendor(src: Path, dst: Path) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def change(m: dict[str, Any]) -> None:
        m["database"]["vendor"] = other
        m["database"]["member"] = backup.DB_MEMBERS[other]
        m["members"][backup.DB_MEMBERS[other]] = m["members"].pop(backup.DB_MEMBERS[connection.vendor])

    # The member keeps its name, so rename it too: the archive is consistent, only of the other vendor.
    with tarfile.open(src) as tin, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tout:
        for info in tin.getmembers():
            data = tin.extractfile(info).read()
            if info.name == backup.DB_MEMBERS[connection.vendor]:
                info.name = backup.DB_MEMBERS[other]
            if info.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


def _newer_schema(src: Path, dst: Path) -> None:
    _copy_with(src, dst, lambda m: m["migrations"].append(["disclosure", "9999_from_the_future"]))


def _as_is(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes())


@committed
@pytest.mark.parametrize(
    "make,message",
    [
        (_truncated, "truncated or damaged"),
        (_altered, "checksum of database"),
        (_other_vendor, "this installation uses"),
        (_newer_schema, "newer version of Gongkai"),
        (_as_is, "not empty; use --force"),
    ],
    ids=["truncated", "altered-member", "other-vendor", "newer-schema", "non-empty-without-force"],
)
def test_a_bad_archive_or_an_occupied_database_is_refused_and_nothing_changes(
    world, county, tmp_path, make, message
):
    archive, _ = create_backup(tmp_path / "b.tar")
    change_everything(world, county)
    changed = state()
    bad = tmp_path / "bad.tar"
    make(archive, bad)

    with pytest.raises(BackupError, match=message):
        restore_backup(bad, force=make is not _as_is)

    assert state() == changed
    assert not default_storage.exists(county["attachment"].file.name)
    assert verify() == []


@committed
def test_verification_names_the_altered_member(world, county, tmp_path):
    archive, _ = create_backup(tmp_path / "b.tar")
    bad = tmp_path / "bad.tar"
    _altered(archive, bad)
    with pytest.raises(BackupError, match=backup.DB_MEMBERS[connection.vendor]):
        verify_backup(bad)
    assert verify_backup(archive)["format_version"] == backup.FORMAT_VERSION


def test_an_existing_output_file_is_never_overwritten(tmp_path):
    target = tmp_path / "b.tar"
    target.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        create_backup(target)
    assert target.read_bytes() == b"keep me"
    assert not list(tmp_path.glob("*.partial"))


def test_schema_relation_tells_older_newer_and_same_apart():
    disk = {("a", "0001"), ("a", "0002")}
    assert backup.schema_relation([["a", "0001"], ["a", "0002"]], disk) == "same"
    assert backup.schema_relation([["a", "0001"]], disk) == "older"
    assert backup.schema_relation([["a", "0001"], ["a", "0002"], ["a", "0003"]], disk) == "newer"


def test_media_member_names_cannot_escape_the_media_root():
    assert backup._safe_media_name("media/items/2025/01/x.pdf") == "items/2025/01/x.pdf"
    for bad in ("media/../etc/passwd", "media//etc/passwd", "media/a/./b", "media/", "media/a\\..\\b"):
        assert backup._safe_media_name(bad) is None


# --- a fresh machine: the commands in their own process, into a new database -----------------


def _fresh_database(tmp_path: Path) -> tuple[str, Any]:
    """A URL of an empty database of this test's own, and a function that drops it."""
    sd = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}", lambda: None
    import psycopg

    name = f"{dj_database_url.parse(os.environ['DATABASE_URL'])['NAME']}_restore"  # not the test database
    admin = dict(host=sd["HOST"] or None, port=sd["PORT"] or None, user=sd["USER"] or None,
                 password=sd["PASSWORD"] or None, dbname="postgres", autocommit=True)  # fmt: skip

    def drop() -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{sd['USER']}:{sd['PASSWORD']}@" if sd["PASSWORD"] else f"{sd['USER']}@"
    return f"postgres://{auth}{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{name}", drop


def _gongkai(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@committed
def test_the_commands_restore_into_an_empty_database_on_a_new_machine(world, county, tmp_path):
    archive = tmp_path / "b.tar"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert str(archive) in out.getvalue()
    manifest = verify_backup(archive)
    url, drop = _fresh_database(tmp_path)
    new_media = tmp_path / "media-new"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(new_media), "REDIS_URL": ""}
    try:
        first = _gongkai("restore", str(archive), env=env)
        assert first.returncode == 0, first.stderr
        # The command compares every table's rows with the manifest and fails on a difference.
        assert f"{sum(manifest['tables'].values())} rows, 1 media files" in first.stdout
        chain = _gongkai("audit", "verify", env=env)
        assert chain.returncode == 0 and "audit chain intact" in chain.stdout, chain.stderr
        # Over a database file that now exists (and has a write-ahead log beside it).
        forced = _gongkai("restore", str(archive), "--force", env=env)
        assert forced.returncode == 0, forced.stderr
    finally:
        drop()
    assert (new_media / county["attachment"].file.name).read_bytes() == PDF


@committed
def test_a_backup_of_an_older_schema_is_restored_and_then_migrated(world, county, tmp_path):
    table = apps.get_model("reports", "DeadlineReminder")._meta.db_table
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("migrate", "reports", "0001_annual_reports", **quiet)  # the schema of the previous release
    try:
        archive, manifest = create_backup(tmp_path / "old.tar")
        assert ["reports", "0002_deadline_reminders"] not in manifest["migrations"]
        assert table not in manifest["tables"]
    finally:
        call_command("migrate", "reports", **quiet)  # the code was upgraded meanwhile
    assert table in table_counts()

    result = restore_backup(archive, force=True)

    assert result.migrated and result.count_mismatches == {}
    counts = table_counts()
    assert counts[table] == 0
    migrations = counts.pop("django_migrations")
    assert migrations == manifest["tables"].pop("django_migrations") + 1
    assert {t: n for t, n in counts.items() if t in manifest["tables"]} == manifest["tables"]
    applied = {tuple(m) for m in backup._applied_migrations("default")}
    assert ("reports", "0002_deadline_reminders") in applied
    assert verify() == []


def _tar_with_manifest(path: Path, manifest: Any) -> None:
    data = json.dumps(manifest).encode()
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "does not exist"),
        (b"", "not a backup archive"),
        ("主动公开目录\n".encode() * 100, "not a backup archive"),
        ({"format": "something-else"}, "not a Gongkai backup"),
        ({"format": "gongkai-backup", "format_version": 99}, "newer backup format"),
        ({"format": "gongkai-backup", "format_version": 1, "database": {"vendor": "sqlite"}, "members": {"x": 1},
          "tables": {}, "migrations": []}, "manifest is incomplete"),
    ],
    ids=["missing", "empty", "text", "foreign-format", "future-format", "malformed-manifest"],
)  # fmt: skip
def test_the_restore_command_refuses_what_is_not_a_backup_with_a_message(tmp_path, content, message):
    path = tmp_path / "x.tar"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, dict):
        _tar_with_manifest(path, content)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), stdout=io.StringIO())


# --- every run of `gongkai backup` is recorded for the status page --------------------------


@committed
def test_a_successful_backup_leaves_one_row_with_its_figures(world, county, tmp_path):
    archive = tmp_path / "nightly.tar"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    manifest = verify_backup(archive)
    run = BackupRun.objects.get()
    assert (run.status, run.archive, run.message) == ("ok", "nightly.tar", "")  # the name, not the directory
    assert run.size == archive.stat().st_size and run.rows == sum(manifest["tables"].values())
    assert run.media_files == 1 and run.started_at <= run.finished_at
    assert manifest["tables"][BackupRun._meta.db_table] == 0  # the archive never holds its own run


@committed
@pytest.mark.parametrize(
    "error,message",
    [(BackupError("pg_dump failed (exit code 1): no space left"), "pg_dump failed (exit code 1): no space left"),
     (OSError(28, "No space left on device"), "OSError: [Errno 28] No space left on device")],
    ids=["backup-error", "os-error"],
)  # fmt: skip
def test_a_failed_backup_leaves_an_error_row_and_no_archive(media, tmp_path, monkeypatch, error, message):
    def fail(*args: Any) -> Any:
        raise error

    monkeypatch.setattr(backup, "_walk", fail)  # after the dump, while the archive is being written
    archive = tmp_path / "nightly.tar"
    with pytest.raises(
        CommandError if isinstance(error, BackupError) else OSError, match="(?i)no space left"
    ):
        call_command("backup", "--output", str(archive), stdout=io.StringIO())
    assert not archive.exists() and not list(tmp_path.glob("*.partial"))
    run = BackupRun.objects.get()
    assert (run.status, run.archive, run.message) == ("error", "nightly.tar", message)
    assert run.size is None and run.rows is None and run.media_files is None


@pytest.mark.django_db
def test_a_backup_refused_before_it_started_records_nothing(tmp_path):
    existing = tmp_path / "b.tar"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(existing), stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", "--output", str(tmp_path / "nowhere" / "b.tar"), stdout=io.StringIO())
    assert not BackupRun.objects.exists()


@committed
def test_a_run_that_cannot_be_recorded_keeps_its_archive_and_says_so(media, tmp_path, monkeypatch):
    def broken_save(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("no such table: core_backuprun")

    monkeypatch.setattr(BackupRun, "save", broken_save)
    archive, err = tmp_path / "b.tar", io.StringIO()
    call_command("backup", "--output", str(archive), stdout=io.StringIO(), stderr=err)
    assert verify_backup(archive)["format"] == backup.FORMAT
    assert "could not be recorded" in err.getvalue()


@committed
def test_a_restored_database_holds_the_source_runs_before_its_archive_and_restore_adds_none(media, tmp_path):
    first, _, _ = backup.run_backup(tmp_path / "first.tar")
    second, _, _ = backup.run_backup(tmp_path / "second.tar")
    assert BackupRun.objects.count() == 2

    restore_backup(second, force=True)

    assert list(BackupRun.objects.values_list("archive", "status")) == [("first.tar", "ok")]


@pytest.mark.django_db
def test_healthz_gives_the_age_of_the_last_successful_backup_and_keeps_its_status(client):
    assert client.get("/healthz").json()["backup_age_seconds"] is None
    now = timezone.now()
    BackupRun.objects.create(started_at=now, finished_at=now - timedelta(hours=1), status="error")
    BackupRun.objects.create(started_at=now, finished_at=now - timedelta(days=3), status="ok")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"  # an old backup is no outage
    assert 3 * 86400 <= response.json()["backup_age_seconds"] < 3 * 86400 + 60
