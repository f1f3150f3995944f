"""Back-office URLs of the records behind the annual report, under /office/records/.

Included from office/urls.py under the "office" namespace.
"""

from django.urls import path

from gongkai.office import views_records as views

urlpatterns = [
    path("", views.overview, name="records_overview"),
    path("disputes/", views.dispute_list, name="records_disputes"),
    path("disputes/new/", views.dispute_create, name="records_dispute_new"),
    path("disputes/<int:pk>/", views.dispute_edit, name="records_dispute"),
    path("disputes/<int:pk>/conclude/", views.dispute_conclude, name="records_dispute_conclude"),
    path("rooms/", views.room_list, name="records_rooms"),
    path("rooms/new/", views.room_create, name="records_room_new"),
    path("rooms/<int:pk>/", views.room_visits, name="records_room"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="records_room_edit"),
    path("staff/", views.figure_list, {"which": "staff"}, name="records_staff"),
    path("spending/", views.figure_list, {"which": "spending"}, name="records_spending"),
    path("decisions/", views.figure_list, {"which": "decisions"}, name="records_decisions"),
]

urlpatterns += [
    path("import/<slug:kind>/", views.records_import, name="records_import"),
    path(
        "import/<slug:kind>/template.<str:fmt>", views.records_import_template, name="records_import_template"
    ),
]
