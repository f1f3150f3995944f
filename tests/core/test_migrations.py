"""Migrations: none missing, and the new ones safe to run while the old version still serves.

An upgrade migrates first and then restarts the app servers one by one, so for a while the old
code runs against the new schema. A migration is safe for that when the old code's queries still
work: it may add tables, nullable columns, columns with a database default, and indexes; it may not
drop or rename a column or a table, or make a column required that old code leaves out of its
INSERTs. Such changes are made in two releases (expand, then contract; docs/operations.md).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

# The last migration of each app in the first release: earlier ones created the schema from nothing
# and are not held to the rule. Later migrations are checked.
FIRST_RELEASE = {
    "accounts": 1, "applications": 2, "audit": 1, "core": 1, "disclosure": 4, "interaction": 3,
    "notifications": 1, "orgs": 2, "records": 1, "reports": 2, "search": 3, "services": 2,
    "supervision": 3, "workdays": 5,
}  # fmt: skip

UNSAFE_TYPES = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
)


def _required_without_default(field: models.Field) -> bool:
    if field.null or field.many_to_many or field.primary_key:
        return False
    return field.db_default is models.NOT_PROVIDED


def unsafe_operations(operations: list) -> list[str]:
    """What in ``operations`` would break the previous release's code still running."""
    problems = []
    for op in operations:
        if isinstance(op, UNSAFE_TYPES):
            problems.append(f"{type(op).__name__} {op.describe()}")
        elif isinstance(op, migrations.AddField) and _required_without_default(op.field):
            problems.append(f"AddField {op.model_name}.{op.name}: required without db_default")
        elif isinstance(op, migrations.AlterField) and _required_without_default(op.field):
            problems.append(f"AlterField {op.model_name}.{op.name}: required without db_default (check by hand)")
        elif isinstance(op, migrations.RunSQL | migrations.RunPython) and not getattr(op, "hints", {}).get(
            "safe_while_old_code_serves"
        ):
            problems.append(f"{type(op).__name__}: mark it hints={{'safe_while_old_code_serves': True}} once checked")
    return problems


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"missing migrations (exit {exc.code}):\n{out.getvalue()}")


def test_migrations_after_the_first_release_are_safe_while_the_old_version_serves():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {k: m for k, m in loader.disk_migrations.items() if m.__module__.startswith("gongkai.")}
    assert set(FIRST_RELEASE) == {app for app, _ in ours}, "a new app: add it to FIRST_RELEASE with 0"
    problems = {
        f"{app}.{name}": found
        for (app, name), migration in ours.items()
        if int(name[:4]) > FIRST_RELEASE[app] and (found := unsafe_operations(migration.operations))
    }
    assert not problems, problems


def test_the_rule_catches_what_breaks_the_old_code():
    unsafe = unsafe_operations([
        migrations.RemoveField("item", "title"),
        migrations.RenameField("item", "title", "name"),
        migrations.DeleteModel("Item"),
        migrations.AddField("item", "rank", models.IntegerField(default=0)),  # a Python default only
        migrations.RunSQL("UPDATE x SET y = 1"),
    ])  # fmt: skip
    assert len(unsafe) == 5, unsafe
    safe = unsafe_operations([
        migrations.AddField("item", "note", models.TextField(null=True)),
        migrations.AddField("item", "rank", models.IntegerField(db_default=0)),
        migrations.AddIndex("item", models.Index(fields=["rank"], name="item_rank")),
        migrations.CreateModel("Thing", [("id", models.BigAutoField(primary_key=True))]),
        migrations.RunSQL("SELECT 1", hints={"safe_while_old_code_serves": True}),
    ])  # fmt: skip
    assert safe == []


@pytest.mark.django_db(transaction=True)
def test_an_index_built_without_locking_goes_and_comes_back():
    """AddIndexWithoutLocking: CONCURRENTLY on PostgreSQL (outside a transaction), plain elsewhere."""
    from django.db import connection

    def indexes() -> set[str]:
        with connection.cursor() as cur:
            return set(connection.introspection.get_constraints(cur, "disclosure_disclosureitem"))

    assert "item_updated_order_idx" in indexes()
    call_command("migrate", "disclosure", "0005", verbosity=0)
    assert "item_updated_order_idx" not in indexes()
    call_command("migrate", "disclosure", verbosity=0)
    assert "item_updated_order_idx" in indexes()
