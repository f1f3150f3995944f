"""PostgreSQL: add the year of publication to every tsvector (``#y2023``), so that a search
reading a slice of whole years asks for one lexeme a year instead of twelve (see
gongkai.search.fts.period_tokens). SQLite: nothing.

Safe while the previous release serves: it ignores the new lexeme, and the year lexemes are asked
for only for years before the current one, which documents it indexes meanwhile (published now)
do not belong to."""

from django.db import migrations

SQL = """
UPDATE search_searchdocument d SET
    vector = d.vector || array_to_tsvector(ARRAY['#y' || coalesce(to_char(d.published_on, 'YYYY'), '0000')])
WHERE d.vector IS NOT NULL
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_postgresql_months_and_rank_tokens"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, hints={"safe_while_old_code_serves": True}),
    ]
