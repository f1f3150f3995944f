from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "gongkai.workdays"
    label = "workdays"
    verbose_name = _("Working days and clocks")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gongkai.workdays import policies  # noqa: F401

        post_migrate.connect(_seed_calendar, sender=self)


def _seed_calendar(sender, using="default", **kwargs):  # type: ignore[no-untyped-def]
    """Every new database starts with the calendar the package knows (2004 onwards)."""
    from gongkai.workdays.calendar import seed_from_package
    from gongkai.workdays.models import CalendarYear

    if not CalendarYear.objects.using(using).exists():
        seed_from_package(actor=None)
