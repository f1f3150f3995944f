from django.db import migrations


def seed(apps, schema_editor):
    from gongkai.disclosure.vocab import CATEGORIES, GENRES

    Category = apps.get_model("disclosure", "Category")
    Genre = apps.get_model("disclosure", "Genre")
    by_code = {}
    for n, (code, name, parent) in enumerate(CATEGORIES):
        by_code[code] = Category.objects.create(code=code, name=name, parent=by_code.get(parent), sort_order=n)
    for n, (code, name, row) in enumerate(GENRES):
        Genre.objects.create(code=code, name=name, report_row=row, sort_order=n)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
