"""Backup and restore of the whole platform: the database and the media files in one .tar archive.

An archive holds ``database.sqlite3`` (SQLite, copied with the online backup API) or
``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``), every file of the default storage
under ``media/``, and ``manifest.json`` last, which lists the format, versions, the database vendor,
the applied migrations, the row count of every table and the SHA-256 of every member. The manifest
comes last so that members can be hashed while they are streamed into the archive.

``restore_backup`` checks the whole archive before it changes anything.

``run_backup`` (what ``gongkai backup`` calls) records each run, good or failed, as a ``BackupRun``
row for the status page; ``restore_backup`` records nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import django
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "gongkai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
SUBPROCESS_TIMEOUT = 6 * 3600
MESSAGE_LIMIT = 4000

log = logging.getLogger("gongkai.backup")


class BackupError(Exception):
    """A backup could not be made or an archive is refused; the message says why."""


class BackupRefused(BackupError):
    """A backup refused before it started (target, database vendor): nothing ran, nothing is recorded."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    media_files: int = 0
    migrated: bool = False
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)


# --- helpers ----------------------------------------------------------------------------------


class _HashingReader:
    """Wraps a file object; hashes and counts what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.count += len(data)
        return data


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DB_MEMBERS:
        raise BackupRefused(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    return vendor


def _version() -> str:
    try:
        return metadata.version("gongkai")
    except metadata.PackageNotFoundError:
        return "unknown"


def _pg_env(using: str) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: credentials never appear on a command line."""
    from django.db.backends.postgresql.client import DatabaseClient

    sd = connections[using].settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(sd, [])
    env = {**os.environ, **(extra or {})}
    for key, var in (("NAME", "PGDATABASE"), ("USER", "PGUSER"), ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if sd.get(key):
            env[var] = str(sd[key])
    if sd.get("OPTIONS", {}).get("options"):
        env["PGOPTIONS"] = str(sd["OPTIONS"]["options"])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    exe = shutil.which(args[0])
    if exe is None:
        raise BackupError(
            _("%(program)s was not found; install the PostgreSQL client.") % {"program": args[0]}
        )
    try:
        proc = subprocess.run(  # noqa: S603 - fixed program, arguments are ours, no shell
            [exe, *args[1:]], env=env, capture_output=True, timeout=SUBPROCESS_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(_("%(program)s did not finish in time.") % {"program": args[0]}) from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip()[-2000:]
        raise BackupError(
            _("%(program)s failed (exit code %(code)s): %(detail)s")
            % {"program": args[0], "code": proc.returncode, "detail": detail}
        )


def _count_rows(cursor: Any, introspection: Any, quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(introspection.table_names(cursor, include_views=False)):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected table name
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts(using: str = "default") -> dict[str, int]:
    """Rows per table of the live database."""
    conn = connections[using]
    with conn.cursor() as cursor:
        return _count_rows(cursor, conn.introspection, conn.ops.quote_name)


def _sqlite_counts(path: Path, using: str) -> dict[str, int]:
    conn = connections[using]
    db = sqlite3.connect(path)
    try:
        return _count_rows(db.cursor(), conn.introspection, conn.ops.quote_name)
    finally:
        db.close()


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def schema_relation(backup_migrations: list[list[str]], disk: set[tuple[str, str]]) -> str:
    """Compare a backup's applied migrations with the code's.

    "newer" if the backup applied a migration this code does not have, "older" if the code has
    migrations the backup lacks, else "same".
    """
    applied = {(app, name) for app, name in backup_migrations}
    if applied - disk:
        return "newer"
    return "older" if disk - applied else "same"


def _disk_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.disk_migrations)


def _walk(storage: Storage, path: str = "") -> Iterator[str]:
    dirs, files = storage.listdir(path)
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for d in sorted(dirs):
        yield from _walk(storage, f"{path}/{d}" if path else d)


def _safe_media_name(member: str) -> str | None:
    """The storage name of a media member, or None when it could escape MEDIA_ROOT."""
    name = member[len(MEDIA_PREFIX) :]
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("..", ".", "") for p in parts):
        return None
    return name


# --- backup -----------------------------------------------------------------------------------


def default_filename(now: dt.datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"gongkai-backup-{now:%Y%m%d-%H%M%S}.tar"


def _dump_sqlite(target: Path, using: str) -> dict[str, int]:
    conn = connections[using]
    conn.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        # One step: the source stays read-locked for the copy, so it is consistent; in WAL mode
        # writers carry on meanwhile.
        conn.connection.backup(dest)
    finally:
        dest.close()
    return _sqlite_counts(target, using)


def _dump_postgresql(target: Path, using: str) -> dict[str, int]:
    conn = connections[using]
    raw = conn.get_new_connection(conn.get_connection_params())
    try:
        # Counts and dump read the same exported snapshot, so the manifest describes the dump exactly.
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_rows(cursor, conn.introspection, conn.ops.quote_name)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"],
            _pg_env(using),
        )
        raw.rollback()
    finally:
        raw.close()
    return counts


def create_backup(
    output: Path | str | None = None, *, using: str = "default", storage: Storage | None = None
) -> tuple[Path, dict[str, Any]]:
    """Write one archive (database, media, manifest) and return its path and manifest."""
    vendor = _vendor(using)
    storage = storage or default_storage
    path = Path(output) if output else Path.cwd() / default_filename()
    if path.exists():
        raise BackupRefused(_("%(path)s already exists; choose another file.") % {"path": path})
    if not path.parent.is_dir():
        raise BackupRefused(_("The directory %(dir)s does not exist.") % {"dir": path.parent})
    partial = path.with_name(path.name + ".partial")
    members: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="gongkai-backup-") as tmp:
        db_member = DB_MEMBERS[vendor]
        dump = Path(tmp) / db_member
        migrations = _applied_migrations(using)
        counts = _dump_sqlite(dump, using) if vendor == "sqlite" else _dump_postgresql(dump, using)
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data inside
            with (
                os.fdopen(fd, "wb") as out,
                tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                with open(dump, "rb") as fh:
                    _add(tar, db_member, fh, dump.stat().st_size, members)
                # Media after the dump: every file a dumped row refers to exists already.
                for name in _walk(storage):
                    with storage.open(name, "rb") as fh:
                        _add(tar, MEDIA_PREFIX + name, fh, storage.size(name), members)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "gongkai_version": _version(),
                    "django_version": django.get_version(),
                    "database": {"vendor": vendor, "member": db_member},
                    "migrations": migrations,
                    "tables": counts,
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, _BytesReader(data))
            os.replace(partial, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise
    return path, manifest


def run_backup(
    output: Path | str | None = None, *, using: str = "default", storage: Storage | None = None
) -> tuple[Path, dict[str, Any], bool]:
    """``create_backup``, recorded as a ``BackupRun`` whether it succeeds or fails.

    A backup refused before it started (``BackupRefused``) records nothing. The row is written
    after the archive is complete, so the archive never holds its own run. Returns the path, the
    manifest and whether the run could be recorded (a failure to record is logged, and does not
    undo a good archive).
    """
    path = Path(output) if output else Path.cwd() / default_filename()
    started = timezone.now()
    try:
        path, manifest = create_backup(path, using=using, storage=storage)
    except BackupRefused:
        raise
    except Exception as exc:
        message = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
        _record_run(using, started_at=started, status="error", archive=path.name, message=message)
        raise
    recorded = _record_run(
        using, started_at=started, status="ok", archive=path.name, size=path.stat().st_size,
        rows=sum(manifest["tables"].values()),
        media_files=sum(1 for name in manifest["members"] if name.startswith(MEDIA_PREFIX)),
    )  # fmt: skip
    return path, manifest, recorded


def _record_run(using: str, **fields: Any) -> bool:
    from gongkai.core.models import BackupRun

    fields["message"] = str(fields.get("message", ""))[:MESSAGE_LIMIT]
    try:
        BackupRun.objects.using(using).create(finished_at=timezone.now(), **fields)
    except Exception:  # e.g. the database is down, or not yet migrated: the backup's outcome stands
        log.exception("the backup run could not be recorded")
        return False
    return True


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        chunk, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return chunk


def _add(tar: tarfile.TarFile, name: str, fh: IO[bytes], size: int, members: dict[str, Any]) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    reader = _HashingReader(fh)
    try:
        tar.addfile(info, reader)  # streamed in chunks, never read whole
    except OSError as exc:
        raise BackupError(_("%(name)s changed while it was being backed up.") % {"name": name}) from exc
    members[name] = {"sha256": reader.sha.hexdigest(), "size": size}


# --- verification -----------------------------------------------------------------------------


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist.") % {"path": path})
    try:
        return tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(
            _("%(path)s is not a backup archive (%(error)s).") % {"path": path, "error": exc}
        ) from exc


def _damaged(path: Path, detail: Any) -> BackupError:
    return BackupError(
        _("%(path)s is truncated or damaged (%(detail)s); nothing was changed.")
        % {"path": path, "detail": detail}
    )


def verify_backup(path: Path | str) -> dict[str, Any]:
    """Check the manifest and the checksum of every member; return the manifest."""
    path = Path(path)
    with _open(path) as tar:
        try:
            infos = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _damaged(path, exc) from exc
        by_name: dict[str, tarfile.TarInfo] = {}
        for info in infos:
            if info.name in by_name or not info.isfile():
                raise _damaged(path, _("unexpected member %(name)s") % {"name": info.name})
            by_name[info.name] = info
        if MANIFEST not in by_name:
            raise _damaged(path, _("the manifest is missing"))
        try:
            manifest = json.loads(_read_all(tar, by_name[MANIFEST]))
        except (ValueError, tarfile.TarError, OSError, EOFError) as exc:
            raise _damaged(path, _("the manifest is unreadable")) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(_("%(path)s is not a Gongkai backup.") % {"path": path})
        if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
            raise BackupError(
                _("%(path)s was written in a newer backup format (%(version)s); upgrade Gongkai first.")
                % {"path": path, "version": manifest.get("format_version")}
            )
        members = manifest.get("members")
        db = manifest.get("database")
        if not _well_formed(manifest):
            raise _damaged(path, _("the manifest is incomplete"))
        if db.get("member") != DB_MEMBERS[db["vendor"]] or db["member"] not in members:
            raise _damaged(path, _("the manifest does not list the database"))
        listed, present = set(members), set(by_name) - {MANIFEST}
        if listed != present:
            missing, extra = sorted(listed - present), sorted(present - listed)
            raise _damaged(path, _("missing: %(missing)s; not listed: %(extra)s") % {
                "missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"})  # fmt: skip
        for name, expected in members.items():
            if name != db["member"] and (not name.startswith(MEDIA_PREFIX) or _safe_media_name(name) is None):
                raise _damaged(path, _("unsafe member name %(name)s") % {"name": name})
            sha, size = _hash_member(path, tar, by_name[name])
            if sha != expected.get("sha256") or size != expected.get("size"):
                raise _damaged(path, _("checksum of %(name)s does not match") % {"name": name})
    return manifest


def _well_formed(m: dict[str, Any]) -> bool:
    db, members, tables, migrations = (
        m.get("database"),
        m.get("members"),
        m.get("tables"),
        m.get("migrations"),
    )
    return (
        isinstance(db, dict)
        and db.get("vendor") in DB_MEMBERS
        and isinstance(members, dict)
        and all(isinstance(v, dict) and isinstance(v.get("size"), int) for v in members.values())
        and isinstance(tables, dict)
        and all(isinstance(n, int) for n in tables.values())
        and isinstance(migrations, list)
        and all(
            isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) for y in x) for x in migrations
        )
    )


def _read_all(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    fh = tar.extractfile(info)
    assert fh is not None
    data = fh.read()
    if len(data) != info.size:
        raise EOFError("short read")
    return data


def _hash_member(path: Path, tar: tarfile.TarFile, info: tarfile.TarInfo) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    try:
        fh = tar.extractfile(info)
        assert fh is not None
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(path, exc) from exc
    return sha.hexdigest(), size


# --- restore ----------------------------------------------------------------------------------


def database_is_empty(using: str = "default") -> bool:
    conn = connections[using]
    with conn.cursor() as cursor:
        return not conn.introspection.table_names(cursor, include_views=False)


def restore_backup(
    path: Path | str,
    *,
    force: bool = False,
    using: str = "default",
    storage: Storage | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> RestoreResult:
    """Verify, then replace the database and restore the media files of one archive."""
    path = Path(path)
    storage = storage or default_storage
    manifest = verify_backup(path)
    log(_("Archive verified: %(count)s members.") % {"count": len(manifest["members"])})
    vendor = _vendor(using)
    backup_vendor = manifest["database"]["vendor"]
    if backup_vendor != vendor:
        raise BackupError(
            _("This backup is of a %(backup)s database; this installation uses %(current)s.")
            % {"backup": backup_vendor, "current": vendor}
        )
    relation = schema_relation(manifest["migrations"], _disk_migrations())
    if relation == "newer":
        raise BackupError(
            _("This backup comes from a newer version of Gongkai (its schema has migrations this code "
              "does not know); upgrade the code first.")
        )  # fmt: skip
    if not force and not database_is_empty(using):
        raise BackupError(_("The database is not empty; use --force to replace its contents."))

    result = RestoreResult(manifest=manifest)
    with tarfile.open(path, mode="r:") as tar:
        db_member = manifest["database"]["member"]
        with tempfile.TemporaryDirectory(prefix="gongkai-restore-", dir=_temp_dir_for(using)) as tmp:
            dump = Path(tmp) / db_member
            _extract(path, tar, db_member, dump, manifest["members"][db_member]["sha256"])
            if vendor == "sqlite":
                _restore_sqlite(dump, using)
            else:
                _restore_postgresql(dump, using, set(manifest["tables"]), force=force)
        log(_("Database restored."))
        after = table_counts(using)
        expected = manifest["tables"]
        result.count_mismatches = {
            t: (n, after.get(t, -1)) for t, n in expected.items() if after.get(t, -1) != n
        }
        for name in sorted(manifest["members"]):
            if name.startswith(MEDIA_PREFIX):
                _restore_media(path, tar, name, storage, manifest["members"][name]["sha256"])
                result.media_files += 1
        log(_("Media files restored: %(count)s.") % {"count": result.media_files})
    if relation == "older":
        from django.core.management import call_command

        log(_("The backup's schema is older than the code's; migrating."))
        call_command("migrate", database=using, interactive=False, verbosity=0)
        result.migrated = True
    _retire_caches()
    return result


def _temp_dir_for(using: str) -> str | None:
    """SQLite: next to the database file, so the final rename is atomic."""
    conn = connections[using]
    if conn.vendor == "sqlite" and not conn.is_in_memory_db():
        return str(Path(conn.settings_dict["NAME"]).resolve().parent)
    return None


def _extract(path: Path, tar: tarfile.TarFile, name: str, target: Path, sha256: str) -> None:
    fh = tar.extractfile(name)
    assert fh is not None
    reader = _HashingReader(fh)
    try:
        with open(target, "wb") as out:
            shutil.copyfileobj(reader, out, CHUNK)  # type: ignore[misc]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(path, exc) from exc
    if reader.sha.hexdigest() != sha256:  # the file changed since it was verified
        raise _damaged(path, _("checksum of %(name)s does not match") % {"name": name})


def _restore_sqlite(dump: Path, using: str) -> None:
    check = sqlite3.connect(dump)
    try:
        ok = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if ok != "ok":
        raise BackupError(_("The database in the backup is damaged: %(detail)s") % {"detail": ok})
    conn = connections[using]
    if conn.is_in_memory_db():
        # An in-memory database (tests) cannot be replaced as a file: copy the pages into it.
        conn.ensure_connection()
        src = sqlite3.connect(dump)
        try:
            src.backup(conn.connection)
        finally:
            src.close()
        return
    db_path = Path(conn.settings_dict["NAME"]).resolve()
    if db_path.exists():
        # Fold the old write-ahead log into the old file first: a WAL left beside the new file
        # would be replayed into it.
        old = sqlite3.connect(db_path)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
    conn.close()
    os.replace(dump, db_path)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{db_path}{suffix}")


def _restore_postgresql(dump: Path, using: str, backup_tables: set[str], *, force: bool) -> None:
    conn = connections[using]
    if force:
        # Tables the backup does not know (a newer schema's) would block --clean through their
        # foreign keys and make the later migrate fail; they belong to what --force replaces.
        with conn.cursor() as cursor:
            extra = [t for t in conn.introspection.table_names(cursor, include_views=False)
                     if t not in backup_tables]  # fmt: skip
            for table in extra:
                cursor.execute(f"DROP TABLE IF EXISTS {conn.ops.quote_name(table)} CASCADE")
    conn.close()
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
         f"--dbname={_conninfo_dbname(conn.settings_dict['NAME'])}", str(dump)],
        _pg_env(using),
    )  # fmt: skip


def _conninfo_dbname(name: str) -> str:
    """A conninfo string naming the database: a bare name containing "=" would be read as one."""
    escaped = str(name).replace("\\", "\\\\").replace("'", "\\'")
    return f"dbname='{escaped}'"


def _restore_media(path: Path, tar: tarfile.TarFile, member: str, storage: Storage, sha256: str) -> None:
    name = _safe_media_name(member)
    assert name is not None  # checked by verify_backup
    fh = tar.extractfile(member)
    assert fh is not None
    if storage.exists(name):
        storage.delete(name)
    reader = _HashingReader(fh)
    try:
        saved = storage.save(name, File(reader, name=name))  # type: ignore[arg-type]
    except (tarfile.TarError, EOFError) as exc:
        raise _damaged(path, exc) from exc
    if saved != name or reader.sha.hexdigest() != sha256:
        raise _damaged(path, _("checksum of %(name)s does not match") % {"name": member})


def _retire_caches() -> None:
    """Pages cached before the restore show data that no longer exists."""
    with contextlib.suppress(Exception):
        from gongkai.portal.cache import bump

        bump()
