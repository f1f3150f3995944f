from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "gongkai.supervision"
    label = "supervision"
    verbose_name = _("E-supervision")

    def ready(self) -> None:
        import importlib.util

        # The policies module registers the models' permission rules.
        if importlib.util.find_spec("gongkai.supervision.policies"):
            importlib.import_module("gongkai.supervision.policies")
