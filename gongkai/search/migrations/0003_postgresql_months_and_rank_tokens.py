"""PostgreSQL: add the month of publication to every tsvector (``#m202403``: a search reads the
newest months first, see gongkai.search.query) and keep the title's and the summary fields'
tokens, which relevance scores (gongkai.search.rank), taken from the tsvector's A and B positions.
SQLite: nothing (its index is in publication order already, and it kept the tokens)."""

from django.db import migrations

SQL = """
UPDATE search_searchdocument d SET
    vector = d.vector || array_to_tsvector(ARRAY['#m' || coalesce(to_char(d.published_on, 'YYYYMM'), '000000')]),
    title_tokens = coalesce((
        SELECT string_agg(u.lexeme, ' ' ORDER BY p.pos)
        FROM unnest(d.vector) u, unnest(u.positions, u.weights) p(pos, weight) WHERE p.weight = 'A'
    ), ''),
    meta_tokens = coalesce((
        SELECT string_agg(u.lexeme, ' ' ORDER BY p.pos)
        FROM unnest(d.vector) u, unnest(u.positions, u.weights) p(pos, weight) WHERE p.weight = 'B'
    ), '')
WHERE d.vector IS NOT NULL
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_rank_index"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
