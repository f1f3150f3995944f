"""Back-office URLs of government services (政务服务), under /office/services/.

Included from office/urls.py under the "office" namespace. Every step of a case has its own
URL (``office:service_case_<step>``), all served by one view that looks the step up.
"""

from django.urls import path

from gongkai.office import views_services as views
from gongkai.office import views_services_catalogue as catalogue

urlpatterns = [
    path("", views.today_page, name="service_today"),
    path("cases/", views.case_list, name="service_case_list"),
    path("cases/new/", views.case_receive, name="service_case_receive"),
    path("cases/<int:pk>/", views.case_detail, name="service_case_detail"),
    path("cases/<int:pk>/received/", views.case_received, name="service_case_received"),
    path("cases/<int:pk>/materials/<int:material_pk>/", views.case_material, name="service_case_material"),
    *[
        path(f"cases/<int:pk>/{step.name.replace('_', '-')}/", views.case_step, {"step": step.name},
             name=f"service_case_{step.name}")
        for step in views.STEPS
    ],
    path("items/", catalogue.item_list, name="service_catalogue"),
    path("items/new/", catalogue.item_create, name="service_catalogue_new"),
    path("items/<int:pk>/", catalogue.item_edit, name="service_catalogue_edit"),
    path("items/<int:pk>/publish/", catalogue.item_publish, name="service_catalogue_publish"),
    path("windows/", catalogue.window_list, name="service_window_list"),
    path("windows/<int:pk>/", catalogue.window_edit, name="service_window_edit"),
    path("windows/<int:pk>/slots/", catalogue.window_slots, name="service_window_slots"),
    path("appointments/", catalogue.appointment_list, name="service_appointments"),
    path("appointments/<int:pk>/cancel/", catalogue.appointment_cancel, name="service_appointment_cancel"),
]  # fmt: skip

# importing and exporting the catalogue and cases (views_services_import)
from gongkai.office import views_services_import as bulk  # noqa: E402

urlpatterns += [
    path("items/import/", bulk.item_import, name="service_catalogue_import"),
    path("items/import/done/", bulk.item_import_done, name="service_catalogue_import_done"),
    path("items/import/template.<str:fmt>", bulk.item_import_template, name="service_catalogue_import_template"),
    path("items/export/", bulk.item_export_page, name="service_catalogue_export_page"),
    path("items/export.<str:fmt>", bulk.item_export, name="service_catalogue_export"),
    path("cases/import/", bulk.case_import, name="service_case_import"),
    path("cases/import/done/", bulk.case_import_done, name="service_case_import_done"),
    path("cases/import/template.<str:fmt>", bulk.case_import_template, name="service_case_import_template"),
    path("cases/export/", bulk.case_export_page, name="service_case_export_page"),
    path("cases/export.<str:fmt>", bulk.case_export, name="service_case_export"),
]  # fmt: skip
