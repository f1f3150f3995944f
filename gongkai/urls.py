from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from gongkai.api.api import api
from gongkai.core import views as core_views


def _admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """Administrators sign in through the office's login, which throttles failed attempts."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("office:login"))


admin.site.login = _admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("a11y/large-text", core_views.large_text, name="large_text"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("office/", include("gongkai.office.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("gongkai.portal.urls")),
]
# Uploaded files are never served from MEDIA_URL, not even in development: every download goes
# through a view that checks who may read it (portal/downloads.py and the case views).
