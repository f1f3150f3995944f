from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "gongkai.applications"
    label = "applications"
    verbose_name = _("Applications for disclosure")

    def ready(self) -> None:
        from gongkai.applications import policies, policies_templates  # noqa: F401
