from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gongkai.api.api import api
from gongkai.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("a11y/large-text", core_views.large_text, name="large_text"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("office/", include("gongkai.office.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("gongkai.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
