from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from gongkai.core import checks  # noqa: F401  (registers the deployment checks)
