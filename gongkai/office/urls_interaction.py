"""Back-office URLs of letters and calls (互动交流), under /office/interaction/.

Included from office/urls.py under the "office" namespace. Every step of a letter has its own
URL (``office:letter_<step>``), all served by one view that looks the step up.
"""

from django.urls import path

from gongkai.office import views_letters_queue as views

urlpatterns = [
    path("", views.letter_list, name="letter_list"),
    path("new/", views.letter_create, name="letter_create"),
    path("channels/", views.channel_list, name="letter_channels"),
    path("channels/limits/", views.channel_time_limit, name="letter_time_limit"),
    path("<int:pk>/", views.letter_detail, name="letter_detail"),
    path("<int:pk>/registered/", views.letter_registered, name="letter_registered"),
    *[
        path(f"<int:pk>/{step.name.replace('_', '-')}/", views.letter_step, {"step": step.name},
             name=f"letter_{step.name}")
        for step in views.STEPS
    ],
]  # fmt: skip
