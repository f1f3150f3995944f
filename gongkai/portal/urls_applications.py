"""Public pages of applications for disclosure: the form, tracking, downloads; citizen accounts."""

from django.urls import path

from gongkai.portal import views_accounts
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
    path("track/<str:case_number>/letters/<int:pk>.<str:fmt>", views.letter_file, name="track_letter"),
    path("my/applications/", views.my_applications, name="my_applications"),
    path("account/", views_accounts.account, name="account"),
    path("account/register/", views_accounts.register, name="account_register"),
    path("account/login/", views_accounts.login_view, name="account_login"),
    path("account/logout/", views_accounts.logout_view, name="account_logout"),
]
