"""Public pages of applications for disclosure: the form, tracking, downloads."""

from django.urls import path

from gongkai.portal import views_applications as views

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("track/", views.track, name="track"),
    path("track/<str:case_number>/", views.track_detail, name="track_detail"),
    path("track/<str:case_number>/correction/", views.correction, name="track_correction"),
    path("track/<str:case_number>/withdraw/", views.withdraw, name="track_withdraw"),
    path("track/<str:case_number>/forget/", views.forget, name="track_forget"),
    path("track/<str:case_number>/documents/<int:pk>/", views.document, name="track_document"),
    path("my/applications/", views.my_applications, name="my_applications"),
]
