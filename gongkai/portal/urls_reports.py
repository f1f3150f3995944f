"""Public pages of the annual reports (年度报告): the list by year, one report, its downloads."""

from django.urls import path

from gongkai.portal import views_reports as views

urlpatterns = [
    path("reports/", views.report_list, name="annual_reports"),
    path("reports/<str:code>/<int:year>/", views.report_page, name="annual_report"),
    path("reports/<str:code>/<int:year>/<str:fmt>/", views.download, name="annual_report_download"),
]
