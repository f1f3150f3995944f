"""Public pages of the leader mailbox: writing, tracking and rating, the Q&A, the statistics."""

from django.urls import path

from gongkai.portal import views_interaction as views

urlpatterns = [
    path("mailbox/", views.mailboxes, name="mailbox"),
    path("mailbox/<int:channel_id>/write/", views.write, name="mailbox_write"),
    path("mailbox/done/", views.done, name="mailbox_done"),
    path("mailbox/track/", views.track, name="mailbox_track"),
    path("mailbox/track/<str:case_number>/", views.track_detail, name="mailbox_track_detail"),
    path("mailbox/track/<str:case_number>/rate/", views.rate, name="mailbox_rate"),
    path("mailbox/track/<str:case_number>/forget/", views.forget, name="mailbox_forget"),
    path("mailbox/replies/", views.replies, name="mailbox_replies"),
    path("mailbox/replies/<int:pk>/", views.reply_detail, name="mailbox_reply"),
    path("mailbox/statistics/", views.statistics, name="mailbox_statistics"),
]
