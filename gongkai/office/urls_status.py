"""Back-office URL of the system status page, under /office/status/ (platform administrators only).

Included from office/urls.py under the "office" namespace.
"""

from django.urls import path

from gongkai.office import views_status as views

urlpatterns = [
    path("", views.status, name="status"),
]
