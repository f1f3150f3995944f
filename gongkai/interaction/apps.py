from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# 咨询, 求助, 投诉, 举报, 建议, 表扬, 其他 — editable data once seeded.
CATEGORIES = [
    ("consult", "咨询"), ("help", "求助"), ("complaint", "投诉"), ("report", "举报"),
    ("suggestion", "建议"), ("praise", "表扬"), ("other", "其他"),
]  # fmt: skip


class InteractionConfig(AppConfig):
    name = "gongkai.interaction"
    label = "interaction"
    verbose_name = _("Interaction")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import gongkai.interaction.policies_decisions  # noqa: F401
        from gongkai.interaction import policies  # noqa: F401

        post_migrate.connect(_seed_categories, sender=self)


def _seed_categories(sender, using="default", **kwargs):  # type: ignore[no-untyped-def]
    from gongkai.interaction.models import Category

    if not Category.objects.using(using).exists():
        Category.objects.using(using).bulk_create(
            [Category(code=code, name=name, sort_order=n) for n, (code, name) in enumerate(CATEGORIES)]
        )
