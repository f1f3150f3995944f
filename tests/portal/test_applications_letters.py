"""The applicant downloads their letters as Word and PDF from the tracking page."""

from __future__ import annotations

import io

import docx
from django.test import Client

from gongkai.applications import actions
from tests.portal.test_applications_track import signed_in_with_code, submitted  # noqa: F401


def test_the_applicant_downloads_a_letter_and_nobody_else_does(world, submitted, settings, tmp_path) -> None:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    letter = app.letters.get(kind="acknowledgement")
    client = signed_in_with_code(app, code)
    response = client.get(f"/track/{app.case_number}/letters/{letter.pk}.docx")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert app.case_number in text
    assert client.get(f"/track/{app.case_number}/letters/{letter.pk}.exe").status_code == 404
    assert Client().get(f"/track/{app.case_number}/letters/{letter.pk}.docx").status_code == 404
