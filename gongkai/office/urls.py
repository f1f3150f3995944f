from django.urls import path

from gongkai.office import views

app_name = "office"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("organisations/", views.org_list, name="org_list"),
    path("organisations/new/", views.org_create, name="org_create"),
    path("organisations/<int:pk>/", views.org_detail, name="org_detail"),
    path("organisations/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("organisations/<int:pk>/active/", views.org_set_active, name="org_set_active"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/roles/", views.user_grant_role, name="user_grant_role"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("calendar/", views.calendar_years, name="calendar_years"),
    path("calendar/upload/", views.calendar_upload, name="calendar_upload"),
    path("calendar/compute/", views.calendar_compute, name="calendar_compute"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("history/<int:ct>/<str:pk>/", views.object_history, name="history"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
