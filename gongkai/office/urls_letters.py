"""Back-office URLs: urls_letters (included from office/urls.py under the office namespace)."""

from django.urls import path

from gongkai.office import views_letters as views

urlpatterns = [
    path("<int:pk>.docx", views.letter_docx, name="letter_docx"),
    path("<int:pk>.pdf", views.letter_pdf, name="letter_pdf"),
    path("templates/", views.letter_templates, name="letter_templates"),
    path("templates/platform/<slug:kind>/", views.letter_template, name="letter_template_platform"),
    path(
        "templates/platform/<slug:kind>/reset/",
        views.letter_template_reset,
        name="letter_template_platform_reset",
    ),
    path("templates/<int:org_pk>/<slug:kind>/", views.letter_template, name="letter_template"),
    path(
        "templates/<int:org_pk>/<slug:kind>/reset/", views.letter_template_reset, name="letter_template_reset"
    ),
    path("outbox/", views.outbox, name="outbox"),
]
