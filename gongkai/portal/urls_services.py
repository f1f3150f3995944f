"""Public pages of government services: the service guide, appointments, online applications,
the status look-up and a citizen's own cases."""

from django.urls import path

from gongkai.portal import views_services as views
from gongkai.portal import views_services_cases as cases

urlpatterns = [
    path("services/", views.guide, name="services"),
    path("services/items/<int:pk>/", views.item, name="service_item"),
    path("services/items/<int:pk>/book/", views.book, name="service_book"),
    path("services/booked/", views.booked, name="service_booked"),
    path("services/cancel/", views.cancel, name="service_cancel"),
    path("services/items/<int:pk>/apply/", cases.apply, name="service_apply"),
    path("services/applied/", cases.applied, name="service_applied"),
    path("services/track/", cases.track, name="service_track"),
    path("services/track/<str:case_number>/", cases.case_detail, name="service_case"),
    path("services/track/<str:case_number>/materials/", cases.supply, name="service_supply"),
    path("services/track/<str:case_number>/forget/", cases.forget, name="service_forget"),
    path("my/services/", cases.my_cases, name="my_services"),
]
