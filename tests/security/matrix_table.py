"""The access-control matrix itself: for every URL pattern, what each role gets.

The world, the patterns and the outcomes it is written in are in ``matrix.py``, which re-exports
``MATRIX`` and ``KNOWN_BUGS``; the API writes asked with a body are in ``matrix_api.py``.
"""

from __future__ import annotations

# For every URL pattern (API patterns prefixed with their method), the outcome for each role, in
# the order of ROLES: anonymous, citizen, clerk_b (another unit's clerk: the outsider), clerk_a
# (the owner unit's clerk), reviewer, supervisor, window (window staff of the township),
# admin (the county administrator). Outcomes are the keys of OUTCOMES.
MATRIX: dict[str, str] = {
    #   anonymous citizen   clerk_b   clerk_a   reviewer  supervisor window  admin
    "healthz":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "a11y/large-text":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "i18n/setlang/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "office/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/login/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "office/logout/":
        "login     login     login     login     login     login     login     login",
    "office/organisations/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/organisations/new/":
        "login     403       403       403       403       403       403       403",
    "office/organisations/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/organisations/<int:pk>/edit/":
        "login     403       404       404       404       404       404       ok",
    "office/organisations/<int:pk>/active/":
        "login     403       404       404       404       404       404       ok",
    "office/users/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/users/new/":
        "login     403       403       403       403       403       403       ok",
    "office/users/<int:pk>/":
        "login     403       404       ok        404       404       404       ok",
    "office/users/<int:pk>/edit/":
        "login     403       404       404       404       404       404       ok",
    "office/users/<int:pk>/roles/":
        "login     403       404       ok        404       404       404       ok",
    "office/users/<int:pk>/password/":
        "login     403       404       ok        404       404       404       ok",
    "office/users/<int:pk>/active/":
        "login     403       404       404       404       404       404       ok",
    "office/roles/<int:pk>/revoke/":
        "login     403       404       404       404       404       404       ok",
    "office/calendar/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/calendar/upload/":
        "login     403       403       403       403       403       403       403",
    "office/calendar/compute/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/calendar/<int:year>/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/audit/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/audit/verify/":
        "login     403       403       403       403       403       403       403",
    "office/status/":
        "login     403       403       403       403       403       403       403",
    "office/history/<int:ct>/<str:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/tokens/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/tokens/<int:pk>/revoke/":
        "login     403       404       ok        404       404       404       404",
    "office/items/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/items/review/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/bulk/":
        "login     403       400       400       400       400       400       400",
    "office/items/timeliness/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/items/<int:pk>/edit/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/<int:pk>/preview/":
        "404       404       404       ok        ok        ok        404       ok",
    "office/items/<int:pk>/submit/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/<int:pk>/return/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/publish/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/withdraw/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/validity/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/attachments/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/<int:pk>/attachments/<int:attachment_pk>/remove/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/import/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/items/import/done/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/import/template.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/export/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/export.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/applications/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/applications/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/applications/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/registered/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/letters/<int:letter_pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/documents/<int:document_pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/confirm/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/discard/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/forward/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/correction/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/correction-received/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/consult/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/consultation-answer/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/extend/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/later-date/":
        "login     403       404       403       ok        403       404       ok",
    "office/applications/<int:pk>/assign/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/draft/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/return-draft/":
        "login     403       404       403       ok        403       404       ok",
    "office/applications/<int:pk>/reply/":
        "login     403       404       403       ok        403       404       ok",
    "office/applications/<int:pk>/fee/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/payment/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/waive/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/withdraw/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/delivery/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/document/":
        "login     403       404       ok        ok        403       404       ok",
    "office/letters/<int:pk>.docx":
        "login     403       404       ok        ok        ok        404       ok",
    "office/letters/<int:pk>.pdf":
        "login     403       404       ok        ok        ok        404       ok",
    "office/letters/templates/":
        "login     403       403       403       403       403       403       ok",
    "office/letters/templates/platform/<slug:kind>/":
        "login     403       404       404       404       404       404       404",
    "office/letters/templates/platform/<slug:kind>/reset/":
        "login     403       404       404       404       404       404       404",
    "office/letters/templates/<int:org_pk>/<slug:kind>/":
        "login     403       404       404       404       404       404       ok",
    "office/letters/templates/<int:org_pk>/<slug:kind>/reset/":
        "login     403       404       404       404       404       404       ok",
    "office/letters/outbox/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/interaction/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/interaction/new/":
        "login     403       403       403       ok        403       403       ok",
    "office/interaction/channels/":
        "login     403       403       403       403       403       403       ok",
    "office/interaction/channels/limits/":
        "login     403       403       403       403       403       403       ok",
    "office/interaction/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/interaction/<int:pk>/registered/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/interaction/<int:pk>/triage/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/assign/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/return/":
        "login     403       404       ok        ok        403       404       ok",
    "office/interaction/<int:pk>/draft/":
        "login     403       404       ok        ok        403       404       ok",
    "office/interaction/<int:pk>/send-back/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/approve/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/chase/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/callback/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/reopen/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/publish/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/unpublish/":
        "login     403       404       403       ok        403       404       ok",
    "office/decisions/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/decisions/new/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/decisions/hearings/new/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/decisions/hearings/<int:pk>/record/":
        "login     403       404       ok        ok        404       404       ok",
    "office/decisions/<int:pk>/":
        "login     403       404       ok        ok        404       404       ok",
    "office/decisions/<int:pk>/open/":
        "login     403       404       404       ok        404       404       ok",
    "office/decisions/<int:pk>/close/":
        "login     403       404       404       ok        404       404       ok",
    "office/decisions/<int:pk>/feedback/":
        "login     403       404       404       ok        404       404       ok",
    "office/decisions/<int:pk>/comments/<int:comment_pk>/":
        "login     403       404       404       ok        404       404       ok",
    "office/services/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/new/":
        "login     403       403       403       403       403       403       403",
    "office/services/cases/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/services/cases/<int:pk>/received/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/services/cases/<int:pk>/materials/<int:material_pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/services/cases/<int:pk>/accept/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/request-materials/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/supply-materials/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/add-step/":
        "login     403       404       ok        ok        403       404       ok",
    "office/services/cases/<int:pk>/collect-fee/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/complete/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/reject/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/set-agent/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/withdraw/":
        "login     403       404       403       403       403       404       403",
    "office/services/items/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/services/items/<int:pk>/":
        "login     403       404       ok        ok        404       404       ok",
    "office/services/items/<int:pk>/publish/":
        "login     403       404       ok        ok        403       404       ok",
    "office/services/windows/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/windows/<int:pk>/":
        "login     403       404       404       404       404       404       ok",
    "office/services/windows/<int:pk>/slots/":
        "login     403       404       404       404       404       404       ok",
    "office/services/appointments/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/appointments/<int:pk>/cancel/":
        "login     403       404       404       404       403       404       403",
    "office/services/items/import/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/services/items/import/done/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/import/template.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/export/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/export.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/import/":
        "login     403       403       403       403       403       ok        403",
    "office/services/cases/import/done/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/import/template.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/export/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/export.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/supervision/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/cases/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/alerts/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/export.<str:fmt>":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/clocks/<int:pk>/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/clocks/<int:pk>/note/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/clocks/<int:pk>/chase/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/clocks/<int:pk>/card/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/cards/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/cards/<int:pk>/withdraw/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/warning-shares/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/warning-shares/<str:kind>/":
        "login     403       403       403       403       403       403       403",
    "office/records/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/records/disputes/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/disputes/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/records/disputes/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/records/disputes/<int:pk>/conclude/":
        "login     403       404       ok        ok        404       404       ok",
    "office/records/rooms/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/rooms/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/records/rooms/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/records/rooms/<int:pk>/edit/":
        "login     403       404       ok        ok        404       404       ok",
    "office/records/staff/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/spending/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/decisions/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/import/<slug:kind>/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/records/import/<slug:kind>/template.<str:fmt>":
        "login     403       ok        ok        ok        403       403       ok",
    "office/reports/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/reports/generate/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/reports/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/reports/<int:pk>/narrative/":
        "login     403       404       ok        ok        403       404       ok",
    "office/reports/<int:pk>/refresh/":
        "login     403       404       ok        ok        403       404       ok",
    "office/reports/<int:pk>/review/":
        "login     403       404       403       ok        403       404       ok",
    "office/reports/<int:pk>/reopen/":
        "login     403       404       403       ok        403       404       ok",
    "office/reports/<int:pk>/publish/":
        "login     403       404       403       ok        403       404       ok",
    "office/reports/<int:pk>/cells/<str:table>/<str:row>/<str:column>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/reports/<int:pk>/download/<str:fmt>/":
        "login     403       404       ok        ok        ok        404       ok",
    "api/v1/openapi.json":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "api/v1/docs":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/me":
        "401       ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/organisations":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "POST api/v1/organisations":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/organisations/<org_id>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "PATCH api/v1/organisations/<org_id>":
        "401       401       404       404       404       404       404       ok",
    "GET api/v1/workdays/add":
        "422       422       422       422       422       422       422       422",
    "GET api/v1/workdays/is-workday":
        "422       422       422       422       422       422       422       422",
    "GET api/v1/workdays/calendar/<year>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/items":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "POST api/v1/items":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/items/by-index/<path:index_no>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/items/<int:item_id>":
        "404       404       404       ok        ok        ok        404       ok",
    "PATCH api/v1/items/<int:item_id>":
        "401       401       404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/submit":
        "401       401       404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/publish":
        "401       401       404       403       ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/withdraw":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/items/<int:item_id>/validity":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/applications":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/applications":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/applications/<int:app_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/applications/<int:app_id>/confirm":
        "401       401       404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/discard":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/forward":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/correction":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/correction-received":
        "401       401       404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/consultations":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/consultations/<int:consultation_id>/answer":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/extend":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/later-date":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/assign":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/draft":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/return-draft":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/reply":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/fees":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/payment":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/waiver":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/withdraw":
        "401       401       404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/delivery":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/letters":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/letters":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/letters/<int:letter_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/letters/<int:letter_id>/triage":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/assign":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/return":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/draft":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/send-back":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/approve":
        "401       401       404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/chase":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/rate":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/reopen":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/publish":
        "401       401       404       403       ok        403       404       ok",
    "POST api/v1/letters/<int:letter_id>/unpublish":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/decisions":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions/<int:decision_id>":
        "401       403       404       ok        ok        404       404       ok",
    "POST api/v1/decisions/<int:decision_id>/open":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/decisions/<int:decision_id>/close":
        "401       401       404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/feedback":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions/<int:decision_id>/comments":
        "401       403       404       ok        ok        404       404       ok",
    "POST api/v1/decisions/<int:decision_id>/comments":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/decisions/comments/<int:comment_id>/moderate":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions/hearings":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/decisions/hearings":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/decisions/hearings/<int:hearing_id>/record":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/services/items":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "POST api/v1/services/items":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/services/items/template":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/services/cases/template":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/services/items/<int:item_id>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "PATCH api/v1/services/items/<int:item_id>":
        "401       401       403       ok        ok        403       403       ok",
    "GET api/v1/services/cases":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/services/cases":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/services/cases/<case_number>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/services/cases/<case_number>/accept":
        "401       401       404       403       403       403       404       403",
    "POST api/v1/services/cases/<case_number>/reject":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/services/cases/<case_number>/fee":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/services/cases/<case_number>/complete":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/reports/drafts":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/reports/drafts":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/reports/drafts/<int:draft_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "PATCH api/v1/reports/drafts/<int:draft_id>/narrative":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/reports/drafts/<int:draft_id>/review":
        "401       401       404       403       400       403       404       400",
    "POST api/v1/reports/drafts/<int:draft_id>/reopen":
        "401       401       404       403       ok        403       404       ok",
    "POST api/v1/reports/drafts/<int:draft_id>/publish":
        "401       401       404       403       400       403       404       400",
    "GET api/v1/reports":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/reports/<code>/<int:year>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/records/disputes":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/records/disputes":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/disputes/<int:case_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/records/disputes/<int:case_id>/conclude":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/figures/<code>/<int:year>":
        "401       403       404       ok        ok        ok        404       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/staff":
        "401       401       422       422       422       422       422       422",
    "PUT api/v1/records/figures/<code>/<int:year>/spending":
        "401       401       422       422       422       422       422       422",
    "PUT api/v1/records/figures/<code>/<int:year>/decisions/<kind>":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/rooms":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/records/rooms":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/rooms/<int:room_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "GET api/v1/records/rooms/<int:room_id>/visits":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/records/rooms/<int:room_id>/visits":
        "401       401       422       422       422       422       422       422",
    "api/v1/":
        "404       404       404       404       404       404       404       404",
    "api/v1/^[\\s\\S]*$":
        "404       404       404       404       404       404       404       404",
    "":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "catalogue/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "news/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "search/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "items/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    # The item page's view-count beacon: a pixel for whoever loads the public page.
    "items/<int:pk>/seen.gif":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "attachments/<int:pk>/download/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/catalogue/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/guide/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/news/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/feeds/items.atom":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "feeds/items.rss":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "feeds/items.atom":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "feeds/news.rss":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "sitemap.xml":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "sitemap-<section>.xml":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "robots.txt":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "apply/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "apply/done/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "track/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "track/<str:case_number>/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/correction/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/withdraw/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/forget/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "track/<str:case_number>/documents/<int:pk>/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/letters/<int:pk>.<str:fmt>":
        "404       ok        404       404       404       404       404       404",
    "my/applications/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "account/":
        "login     ok        elsewhere elsewhere elsewhere elsewhere elsewhere elsewhere",
    "account/register/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "account/login/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "account/logout/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/<int:channel_id>/write/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/done/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/track/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/track/<str:case_number>/":
        "404       404       404       404       404       404       404       404",
    "mailbox/track/<str:case_number>/rate/":
        "404       404       404       404       404       404       404       404",
    "mailbox/track/<str:case_number>/forget/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/replies/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/replies/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/statistics/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "consultations/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "consultations/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "consultations/<int:pk>/comment/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "hearings/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/items/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/items/<int:pk>/book/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/booked/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/cancel/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/items/<int:pk>/apply/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/applied/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/track/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/track/<str:case_number>/":
        "404       ok        404       404       404       404       404       404",
    "services/track/<str:case_number>/materials/":
        "404       ok        404       404       404       404       404       404",
    "services/track/<str:case_number>/forget/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "my/services/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "reports/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "reports/<str:code>/<int:year>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "reports/<str:code>/<int:year>/<str:fmt>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
}

# (pattern key, role) pairs that fail today because of a known bug, with the bug; strict xfail.
KNOWN_BUGS: dict[tuple[str, str], str] = {}
