"""SQLite: an index covering the tokens that relevance scores (see gongkai.search.rank)."""

from django.db import migrations

from gongkai.search import fts


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(fts.RANK_INDEX_CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(fts.RANK_INDEX_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_search_document"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
