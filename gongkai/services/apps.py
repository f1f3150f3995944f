from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "gongkai.services"
    label = "services"
    verbose_name = _("Government services")

    def ready(self) -> None:
        import importlib.util

        # The policies module registers the models' permission rules.
        if importlib.util.find_spec("gongkai.services.policies"):
            importlib.import_module("gongkai.services.policies")
