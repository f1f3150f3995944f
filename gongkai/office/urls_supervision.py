"""Back-office URLs of e-supervision (电子监察), under /office/supervision/.

Included from office/urls.py under the "office" namespace. Pages are GET only; every change
(note, chase notice, card, withdrawal, warning share) is a POST to its own URL.
"""

from django.urls import path

from gongkai.office import views_supervision as views
from gongkai.office import views_supervision_clock as clock_views

urlpatterns = [
    path("", views.dashboard, name="supervision_dashboard"),
    path("cases/", views.drill_down, name="supervision_cases"),
    path("alerts/", views.alerts, name="supervision_alerts"),
    path("export.<str:fmt>", views.export, name="supervision_export"),
    path("clocks/<int:pk>/", clock_views.clock_detail, name="supervision_clock"),
    path("clocks/<int:pk>/note/", clock_views.clock_note, name="supervision_clock_note"),
    path("clocks/<int:pk>/chase/", clock_views.clock_chase, name="supervision_clock_chase"),
    path("clocks/<int:pk>/card/", clock_views.clock_card, name="supervision_clock_card"),
    path("cards/", clock_views.card_list, name="supervision_cards"),
    path("cards/<int:pk>/withdraw/", clock_views.card_withdraw, name="supervision_card_withdraw"),
    path("warning-shares/", clock_views.warning_shares, name="supervision_warning_shares"),
    path("warning-shares/<str:kind>/", clock_views.warning_share_set, name="supervision_warning_share_set"),
]
