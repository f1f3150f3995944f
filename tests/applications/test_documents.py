"""Word and PDF copies of letters, and the organisations' wording of them."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date
from typing import Any

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from gongkai.applications import actions_templates as templates
from gongkai.applications import documents, letters
from gongkai.applications.models import LetterKind, LetterTemplate
from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError

ON = date(2025, 9, 26)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def letter(register: Any) -> Any:
    app = register(ON)
    return app.letters.select_related("application__organisation").get(kind=LetterKind.ACKNOWLEDGEMENT)


def pdf_or_skip(letter: Any) -> bytes:
    try:
        return documents.render(letter, "pdf")
    except documents.PdfUnavailable as exc:  # the Makefile's browser-deps installs what is needed
        pytest.skip(f"PDF rendering unavailable here: {exc.detail}")


def embedded_font_names(pdf: bytes) -> set[str]:
    """Font names in the PDF, also inside compressed object streams."""
    names: set[str] = set()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            data = match.group(1)
        names.update(n.decode() for n in re.findall(rb"/(?:BaseFont|FontName)\s*/([\w+-]+)", data))
    names.update(n.decode() for n in re.findall(rb"/(?:BaseFont|FontName)\s*/([\w+-]+)", pdf))
    return names


# --- Word ---------------------------------------------------------------------------------------


def test_the_word_copy_opens_with_the_case_number_and_the_chinese_text(letter) -> None:
    data = documents.render(letter, "docx")
    doc = docx.Document(io.BytesIO(data))
    paragraphs = [p for p in doc.paragraphs if p.text]
    text = "\n".join(p.text for p in paragraphs)
    app = letter.application
    assert app.case_number in text and "李明：" in text and "2013年攸县财政局部门预算" in text
    title, number = paragraphs[0], paragraphs[1]
    assert title.text == "政府信息公开申请登记回执" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number.text == letter.number and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # The organisation and the date close the letter, right-aligned, once.
    assert [p.text for p in paragraphs[-2:]] == ["攸县财政局", "2025年9月26日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in paragraphs[-2:])
    assert text.count("攸县财政局\n") == 1
    # Chinese text is set in 宋体 (the East Asian font), never a theme font that would win over it.
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体" and fonts.get(qn("w:eastAsiaTheme")) is None
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert (
        doc.core_properties.title == "政府信息公开申请登记回执" and doc.core_properties.author == "攸县财政局"
    )


def test_a_copy_is_rendered_once_and_then_read_from_storage(letter, monkeypatch) -> None:
    calls = []
    real = documents.RENDERERS["docx"]
    monkeypatch.setitem(documents.RENDERERS, "docx", lambda x: calls.append(x.pk) or real(x))
    first = documents.render(letter, "docx")
    second = documents.render(letter, "docx")
    assert first == second and calls == [letter.pk]
    name = documents.storage_name(letter, "docx")
    assert name.startswith("letters/") and f"/{letter.pk}-" in name and default_storage.exists(name)


def test_the_stored_name_depends_on_what_the_letter_says(letter) -> None:
    """A letter id reused after a database reset never serves the other letter's file."""
    other = type(letter).objects.select_related("application__organisation").get(pk=letter.pk)
    other.body += "另"
    assert documents.storage_name(other, "docx") != documents.storage_name(letter, "docx")


def test_a_template_without_a_signature_gets_the_organisation_and_date(world, register) -> None:
    templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a,
                                   kind=LetterKind.ACKNOWLEDGEMENT, title="登记回执",
                                   body="{applicant_name}：\n\n已收到您的申请（{case_number}）。")  # fmt: skip
    app = register(ON)
    parts = documents.layout(app.letters.get(kind=LetterKind.ACKNOWLEDGEMENT))
    assert parts.salutation == "李明：" and parts.paragraphs == [f"已收到您的申请（{app.case_number}）。"]
    assert (parts.organisation, parts.date) == ("攸县财政局", "2025年9月26日")


def test_a_file_name_is_the_case_number_and_the_kind(letter) -> None:
    name = documents.filename(letter, "docx")
    assert name == f"{letter.application.case_number}-acknowledgement.docx" and name.isascii()


# --- PDF ----------------------------------------------------------------------------------------


def test_the_pdf_copy_embeds_a_chinese_font(letter) -> None:
    data = pdf_or_skip(letter)
    assert data.startswith(b"%PDF")
    fonts = embedded_font_names(data)
    assert any("Noto" in f and "CJK" in f for f in fonts), fonts
    assert any(f.endswith("SC") or "-SC-" in f for f in fonts if "CJK" in f), (
        fonts
    )  # Simplified Chinese forms


def test_the_pdf_html_escapes_the_text_and_references_nothing(world, register) -> None:
    templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a,
                                   kind=LetterKind.ACKNOWLEDGEMENT, title="回执 <b>",
                                   body='<img src="http://example.com/x.png">已收到{case_number}。')  # fmt: skip
    letter = register(ON).letters.get(kind=LetterKind.ACKNOWLEDGEMENT)
    html = documents.letter_html(letter)
    assert "&lt;img src=" in html and "<img" not in html and "回执 &lt;b&gt;" in html
    assert "url(" not in html and "<link" not in html


def test_the_pdf_fetcher_refuses_every_url() -> None:
    try:
        weasyprint = documents.weasyprint_module()
    except documents.PdfUnavailable:
        pytest.skip("WeasyPrint unavailable here")
    fetcher = documents.no_network_fetcher(weasyprint)
    for url in ("http://example.com/font.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_without_weasyprint_the_pdf_is_refused_clearly_and_word_still_works(letter, monkeypatch) -> None:
    def missing() -> Any:
        raise documents.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(documents, "weasyprint_module", missing)
    with pytest.raises(documents.PdfUnavailable) as err:
        documents.render(letter, "pdf")
    assert "Pango" in err.value.message and "Word" in err.value.message
    assert documents.render(letter, "docx").startswith(b"PK")
    assert not default_storage.exists(documents.storage_name(letter, "pdf"))


def test_without_a_chinese_font_the_pdf_is_refused(letter, monkeypatch) -> None:
    monkeypatch.setattr(documents, "chinese_font_installed", lambda: False)
    try:
        documents.weasyprint_module()
    except documents.PdfUnavailable:
        pytest.skip("WeasyPrint unavailable here")
    with pytest.raises(documents.PdfUnavailable) as err:
        documents.render(letter, "pdf")
    assert "fonts-noto-cjk" in err.value.detail


# --- the organisations' wording -----------------------------------------------------------------


def test_every_shared_placeholder_is_one_each_letter_is_given(world, register) -> None:
    app = register(ON)
    assert set(letters.base_values(app, ON)) == set(templates.SHARED) | set(templates.PERSONAL)
    for kind in LetterKind.values:
        title, body = letters.DEFAULTS[kind]
        assert templates.check_template(kind, title, body)  # the platform's wording passes its own check
        assert set(templates.placeholders(kind)) <= set(templates.PLACEHOLDER_HELP) & set(templates.SAMPLES)


def test_the_applicant_is_not_named_to_a_consulted_third_party() -> None:
    assert "applicant_name" in templates.placeholders(LetterKind.REPLY)
    assert "applicant_name" not in templates.placeholders(LetterKind.CONSULTATION)
    with pytest.raises(ActionError) as err:
        templates.check_template(LetterKind.CONSULTATION, "征求意见函", "{party}：申请人{applicant_name}")
    assert "{applicant_name}" in " ".join(err.value.message_dict["body"])


def test_unknown_placeholders_are_named_and_nothing_is_saved(world) -> None:
    with pytest.raises(ActionError) as err:
        templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a,
                                       kind=LetterKind.EXTENSION, title="延期{case_no}",
                                       body="{applicant_name}：因{reason}延长{days}日。{case number}{金额}")  # fmt: skip
    errors = err.value.message_dict
    assert "{case_no}" in " ".join(errors["title"])
    body_error = " ".join(errors["body"])
    assert "{case number}" in body_error and "{金额}" in body_error and "{reason}" not in body_error
    assert not LetterTemplate.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="applications.save_letter").exists()


def test_empty_and_overlong_wording_is_refused(world) -> None:
    save = templates.save_letter_template
    with pytest.raises(ActionError) as err:
        save(actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.REPLY, title=" ", body="\n")
    assert set(err.value.message_dict) == {"title", "body"}
    with pytest.raises(ActionError) as err:
        save(actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.REPLY,
             title="答" * (templates.TITLE_MAX + 1), body="文" * (templates.BODY_MAX + 1))  # fmt: skip
    assert set(err.value.message_dict) == {"title", "body"}
    with pytest.raises(ActionError):
        save(actor=world.county_admin, organisation=world.unit_a, kind="nonsense", title="x", body="y")


def test_an_administrator_sets_the_wording_and_new_letters_use_it(world, register) -> None:
    template = templates.save_letter_template(
        actor=world.county_admin, organisation=world.county, kind=LetterKind.ACKNOWLEDGEMENT,
        title="受理回执", body="{applicant_name}：\n\n案件{case_number}已登记。\n\n{organisation}\n{date}",
    )  # fmt: skip
    event = AuditEvent.objects.get(verb="applications.save_letter_template")
    assert event.object_id == str(template.pk) and event.organisation_id == world.county.pk
    assert event.before is None and event.after["title"] == "受理回执"
    # The county's wording reaches its departments; issued letters keep theirs.
    app = register(ON)
    letter = app.letters.get(kind=LetterKind.ACKNOWLEDGEMENT)
    assert letter.title == "受理回执" and f"案件{app.case_number}已登记。" in letter.body
    templates.save_letter_template(actor=world.county_admin, organisation=world.county,
                                   kind=LetterKind.ACKNOWLEDGEMENT, title="新回执", body="已登记。")  # fmt: skip
    letter.refresh_from_db()
    assert letter.title == "受理回执"
    assert AuditEvent.objects.filter(verb="applications.save_letter_template").count() == 2
    assert LetterTemplate.objects.get(organisation=world.county).title == "新回执"


def test_resetting_drops_the_own_wording(world) -> None:
    templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a,
                                   kind=LetterKind.FEE, title="收费", body="请缴费{amount}元。")  # fmt: skip
    assert templates.reset_letter_template(
        actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.FEE
    )
    assert not LetterTemplate.objects.exists()
    event = AuditEvent.objects.get(verb="applications.reset_letter_template")
    assert event.before["title"] == "收费" and event.organisation_id == world.unit_a.pk
    assert not templates.reset_letter_template(
        actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.FEE
    )


@pytest.mark.parametrize("who", ["clerk_a", "reviewer", "supervisor", "clerk_b", "other_admin", "window",
                                 "citizen", "anonymous"])  # fmt: skip
def test_only_the_organisations_administrators_change_its_wording(world, who) -> None:
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        templates.save_letter_template(actor=actor, organisation=world.unit_a, kind=LetterKind.REPLY,
                                       title="答复", body="答复如下。")  # fmt: skip
    with pytest.raises(PermissionDenied):
        templates.reset_letter_template(actor=actor, organisation=world.unit_a, kind=LetterKind.REPLY)
    assert not LetterTemplate.objects.exists()


def test_the_platform_wording_is_for_platform_administrators(world) -> None:
    with pytest.raises(PermissionDenied):
        templates.save_letter_template(actor=world.county_admin, organisation=None, kind=LetterKind.REPLY,
                                       title="答复", body="答复如下。")  # fmt: skip
    templates.save_letter_template(actor=world.root, organisation=None, kind=LetterKind.REPLY,
                                   title="答复", body="答复如下。")  # fmt: skip
    assert LetterTemplate.objects.get(organisation=None).title == "答复"
