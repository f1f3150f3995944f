from django.db import migrations, models

from gongkai.core.operations import AddIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY on PostgreSQL

    dependencies = [
        ("disclosure", "0005_item_published_order_idx"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="disclosureitem",
            index=models.Index(fields=["-updated_at", "-id"], name="item_updated_order_idx"),
        ),
    ]
