"""Back-office URLs: urls_applications (included from office/urls.py under the office namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
