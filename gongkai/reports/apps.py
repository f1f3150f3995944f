import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "gongkai.reports"
    label = "reports"
    verbose_name = _("Annual reports")

    def ready(self) -> None:
        # The policies module registers the models' permission rules.
        importlib.import_module("gongkai.reports.policies")
