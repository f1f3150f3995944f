from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "gongkai.records"
    label = "records"
    verbose_name = _("Records for the annual report")

    def ready(self) -> None:
        import importlib.util

        # The policies module registers the models' permission rules.
        if importlib.util.find_spec("gongkai.records.policies"):
            importlib.import_module("gongkai.records.policies")
