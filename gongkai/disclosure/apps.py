from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "gongkai.disclosure"
    label = "disclosure"
    verbose_name = _("Proactive disclosure")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gongkai.disclosure import policies  # noqa: F401

        post_migrate.connect(_seed_vocabularies, sender=self)


def _seed_vocabularies(sender, using="default", **kwargs):  # type: ignore[no-untyped-def]
    """Categories and genres exist in every database, also after a flush (test databases)."""
    from gongkai.disclosure.models import Category, Genre
    from gongkai.disclosure.vocab import CATEGORIES, GENRES

    if not Category.objects.using(using).exists():
        by_code: dict = {}
        for n, (code, name, parent) in enumerate(CATEGORIES):
            by_code[code] = Category.objects.using(using).create(
                code=code, name=name, parent=by_code.get(parent), sort_order=n
            )
    if not Genre.objects.using(using).exists():
        Genre.objects.using(using).bulk_create(
            [
                Genre(code=code, name=name, report_row=row, sort_order=n)
                for n, (code, name, row) in enumerate(GENRES)
            ]
        )
