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
