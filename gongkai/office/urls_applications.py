"""Back-office URLs of applications for disclosure (依申请公开), under /office/applications/.

Included from office/urls.py under the "office" namespace. Every step of a case has its own
URL (``office:application_<step>``), all served by one view that looks the step up.
"""

from django.urls import path

from gongkai.office import views_applications as views
from gongkai.office import views_applications_case as case_views

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", case_views.application_detail, name="application_detail"),
    path("<int:pk>/registered/", views.application_registered, name="application_registered"),
    path("<int:pk>/letters/<int:letter_pk>/", case_views.application_letter, name="application_letter"),
    path("<int:pk>/documents/<int:document_pk>/", case_views.application_document, name="application_document"),
    *[
        path(f"<int:pk>/{step.name.replace('_', '-')}/", case_views.application_step, {"step": step.name},
             name=f"application_{step.name}")
        for step in case_views.STEPS
    ],
]  # fmt: skip
