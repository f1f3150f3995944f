"""DisclosureItem.submitted_at: when the item was last submitted for review.

Items that exist already take the time of their last submission from the audit
log, when the last workflow step recorded there is a submission (a return
afterwards means the item went back to its clerk, so it stays empty).
"""

from django.db import migrations, models

SUBMIT = "disclosure.submit_item"
RETURN = "disclosure.return_item"


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    DisclosureItem = apps.get_model("disclosure", "DisclosureItem")
    events = (
        AuditEvent.objects.filter(
            verb__in=(SUBMIT, RETURN),
            content_type__app_label="disclosure",
            content_type__model="disclosureitem",
        )
        .order_by("seq")
        .values_list("object_id", "verb", "at")
    )
    last = {}
    for object_id, verb, at in events.iterator(chunk_size=2000):
        last[object_id] = at if verb == SUBMIT else None
    submitted = {int(pk): at for pk, at in last.items() if at is not None and pk.isdecimal()}
    ids = sorted(submitted)
    for start in range(0, len(ids), 500):
        items = list(DisclosureItem.objects.filter(pk__in=ids[start : start + 500]).only("pk"))
        for item in items:
            item.submitted_at = submitted[item.pk]
        DisclosureItem.objects.bulk_update(items, ["submitted_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("disclosure", "0003_late_blank"),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosureitem",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="submitted for review at"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
