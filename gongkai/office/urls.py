from django.urls import include, path

from gongkai.office import views, views_import, views_items

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
    # proactive disclosure (主动公开)
    path("items/", views_items.item_list, name="item_list"),
    path("items/new/", views_items.item_create, name="item_create"),
    path("items/review/", views_items.review_queue, name="item_review"),
    path("items/bulk/", views_items.item_bulk, name="item_bulk"),
    path("items/timeliness/", views_items.timeliness, name="item_timeliness"),
    path("items/<int:pk>/", views_items.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views_items.item_edit, name="item_edit"),
    path("items/<int:pk>/preview/", views_items.item_preview, name="item_preview"),
    path("items/<int:pk>/submit/", views_items.item_submit, name="item_submit"),
    path("items/<int:pk>/return/", views_items.item_return, name="item_return"),
    path("items/<int:pk>/publish/", views_items.item_publish, name="item_publish"),
    path("items/<int:pk>/withdraw/", views_items.item_withdraw, name="item_withdraw"),
    path("items/<int:pk>/validity/", views_items.item_validity, name="item_validity"),
    path("items/<int:pk>/attachments/", views_items.attachment_add, name="item_attachment_add"),
    path(
        "items/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views_items.attachment_remove,
        name="item_attachment_remove",
    ),
    # importing and exporting items (views_import)
    path("items/import/", views_import.item_import, name="item_import"),
    path("items/import/done/", views_import.item_import_done, name="item_import_done"),
    path("items/import/template.<str:fmt>", views_import.item_import_template, name="item_import_template"),
    path("items/export/", views_import.item_export_page, name="item_export_page"),
    path("items/export.<str:fmt>", views_import.item_export, name="item_export"),
    # applications for disclosure (依申请公开)
    path("applications/", include("gongkai.office.urls_applications")),
    # letters, letter templates and the outbox of notices
    path("letters/", include("gongkai.office.urls_letters")),
    path("interaction/", include("gongkai.office.urls_interaction")),
    path("decisions/", include("gongkai.office.urls_decisions")),
    # government services (window staff, catalogue) and e-supervision
    path("services/", include("gongkai.office.urls_services")),
    path("supervision/", include("gongkai.office.urls_supervision")),
    # records for the annual report, and the reports themselves
    path("records/", include("gongkai.office.urls_records")),
    path("reports/", include("gongkai.office.urls_reports")),
    path("status/", include("gongkai.office.urls_status")),
]
