"""Public pages of applications for disclosure: the form, tracking, downloads."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
