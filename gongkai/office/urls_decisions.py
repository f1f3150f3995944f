"""Back-office URLs of 决策公开 (draft decisions and hearings), under /office/decisions/."""

from django.urls import path

from gongkai.office import views_decisions as views

urlpatterns = [
    path("", views.decision_list, name="decision_list"),
    path("new/", views.decision_create, name="decision_create"),
    path("hearings/new/", views.hearing_create, name="hearing_create"),
    path("hearings/<int:pk>/record/", views.hearing_record, name="hearing_record"),
    path("<int:pk>/", views.decision_detail, name="decision_detail"),
    path("<int:pk>/open/", views.decision_open, name="decision_open"),
    path("<int:pk>/close/", views.decision_close, name="decision_close"),
    path("<int:pk>/feedback/", views.decision_feedback, name="decision_feedback"),
    path("<int:pk>/comments/<int:comment_pk>/", views.comment_moderate, name="decision_comment_moderate"),
]
