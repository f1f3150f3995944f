from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gongkai.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from gongkai.audit import policies  # noqa: F401
