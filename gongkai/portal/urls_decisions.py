"""Public pages of 决策公开: consultations on draft decisions and hearings."""

from django.urls import path

from gongkai.portal import views_decisions as views

urlpatterns = [
    path("consultations/", views.decision_list, name="decisions"),
    path("consultations/<int:pk>/", views.decision_detail, name="decision"),
    path("consultations/<int:pk>/comment/", views.comment, name="decision_comment"),
    path("hearings/", views.hearing_list, name="hearings"),
]
