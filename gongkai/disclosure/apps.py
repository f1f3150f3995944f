from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "gongkai.disclosure"
    label = "disclosure"
    verbose_name = _("Proactive disclosure")

    def ready(self) -> None:
        from gongkai.disclosure import policies  # noqa: F401
