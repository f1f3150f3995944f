"""Back-office URLs of the annual report, under /office/reports/.

Included from office/urls.py under the "office" namespace.
"""

from django.urls import path

from gongkai.office import views_reports as views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("generate/", views.report_generate, name="report_generate"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/narrative/", views.report_narrative, name="report_narrative"),
    path("<int:pk>/refresh/", views.report_refresh, name="report_refresh"),
    path("<int:pk>/review/", views.report_review, name="report_review"),
    path("<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("<int:pk>/cells/<str:table>/<str:row>/<str:column>/", views.report_cell, name="report_cell"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
]
