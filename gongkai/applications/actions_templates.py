"""Editing an organisation's wording of its letters (告知书模板), as actions.

A template is a title and a text with placeholders in braces. Each kind of letter has its
own set: the ones the platform's wording uses (``letters.DEFAULTS``) and the facts of the
case every letter is given (the case number, the dates, the organisation). A name outside
that set would be printed as it stands in a letter to a citizen, so it is refused, named in
the message. The applicant's name is offered only for the letters addressed to the applicant:
a consultation letter goes to a third party, who is not told who applied.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.applications.letters import DEFAULTS, fill
from gongkai.applications.models import LetterKind, LetterTemplate
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, snapshot

TITLE_MAX = LetterTemplate._meta.get_field("title").max_length or 200
BODY_MAX = 10_000

# What ``letters.base_values`` gives every letter, less the applicant's name (see above).
SHARED = (
    "case_number", "info_title", "info_number_clause", "received_on", "organisation", "date",
    "reply_days", "due_date", "review_body",
)  # fmt: skip
PERSONAL = ("applicant_name",)

_NAME = re.compile(r"\{(\w+)\}")
# Anything in braces counts, so that {case number} or {案件 编号} is reported, not printed.
_BRACED = re.compile(r"\{([^{}\n]{0,60})\}")

PLACEHOLDER_HELP: dict[str, Any] = {
    "case_number": gettext_lazy("case number"),
    "applicant_name": gettext_lazy("applicant's name"),
    "info_title": gettext_lazy("title of the information asked for"),
    "info_number_clause": gettext_lazy("the document number in brackets, when the applicant gave one"),
    "received_on": gettext_lazy("date of receipt"),
    "organisation": gettext_lazy("name of the organisation"),
    "date": gettext_lazy("date of the letter"),
    "reply_days": gettext_lazy("reply period in working days"),
    "due_date": gettext_lazy("reply due date"),
    "review_body": gettext_lazy("body hearing an administrative review (the government above)"),
    "items": gettext_lazy("what to correct"),
    "period_days": gettext_lazy("correction period in working days"),
    "correct_by": gettext_lazy("correct by (date)"),
    "reason": gettext_lazy("reason"),
    "days": gettext_lazy("extension in working days"),
    "party": gettext_lazy("party consulted"),
    "consultation_reason": gettext_lazy("why the party is consulted"),
    "reply_due": gettext_lazy("date the party's answer is due"),
    "consultation_days": gettext_lazy("consultation period in working days"),
    "silence_rule": gettext_lazy("what happens when the party does not answer"),
    "fee_basis": gettext_lazy("legal basis of the fee"),
    "fee_rate": gettext_lazy("how the fee is calculated"),
    "amount": gettext_lazy("amount in yuan"),
    "instructions": gettext_lazy("how to pay"),
    "payment_days": gettext_lazy("payment period in working days"),
    "pay_by": gettext_lazy("pay by (date)"),
    "later_date": gettext_lazy("the later reply date"),
    "decision": gettext_lazy("the decision"),
    "reply_text": gettext_lazy("text of the reply"),
    "legal_basis": gettext_lazy("legal basis of the reply"),
    "how_to_obtain": gettext_lazy("how the applicant obtains the information"),
}

# Sample values for the preview (the letters themselves are in Chinese).
SAMPLES: dict[str, str] = {
    "case_number": "YSQ2026000123",
    "applicant_name": "李明",
    "info_title": "2025年攸县财政局部门预算",
    "info_number_clause": "（文号：攸财发〔2025〕3号）",
    "received_on": "2026年3月2日",
    "organisation": "攸县财政局",
    "date": "2026年3月4日",
    "reply_days": "20",
    "due_date": "2026年3月30日",
    "review_body": "攸县人民政府",
    "items": "请写明所需信息的名称、文号或者便于查询的其他特征性描述。",
    "period_days": "15",
    "correct_by": "2026年3月25日",
    "reason": "申请公开的信息需要调取档案并进行审查",
    "days": "20",
    "party": "湖南某某建设有限公司",
    "consultation_reason": "损害你方合法权益",
    "reply_due": "2026年3月18日",
    "consultation_days": "15",
    "silence_rule": "逾期未提出意见的，由本机关依照条例规定决定是否公开。",
    "fee_basis": "《政府信息公开信息处理费管理办法》",
    "fee_rate": "按件计收：当月第11至20件，每件100元",
    "amount": "100.00",
    "instructions": "请通过非税收入缴款码缴纳。",
    "payment_days": "20",
    "pay_by": "2026年4月1日",
    "later_date": "2026年5月29日",
    "decision": "经审查，您申请获取的政府信息属于公开范围，本机关予以公开。",
    "reply_text": "所申请的部门预算表及说明见附件。",
    "legal_basis": "《中华人民共和国政府信息公开条例》第三十六条第二项",
    "how_to_obtain": "所提供的信息已通过电子邮件发送至您预留的邮箱。\n\n",
}


def _names_in(text: str) -> list[str]:
    return list(dict.fromkeys(_NAME.findall(text)))


def placeholders(kind: str) -> list[str]:
    """The placeholders a template of ``kind`` may use: its default wording's first, in order."""
    title, body = DEFAULTS[kind]
    used = _names_in(title + "\n" + body)
    personal_ok = kind != LetterKind.CONSULTATION
    extra = [n for n in SHARED + (PERSONAL if personal_ok else ()) if n not in used]
    return [n for n in used if personal_ok or n not in PERSONAL] + extra


def unknown_placeholders(kind: str, text: str) -> list[str]:
    allowed = set(placeholders(kind))
    return list(dict.fromkeys(m for m in _BRACED.findall(text) if m not in allowed))


def preview(kind: str, title: str, body: str) -> tuple[str, str]:
    """The wording filled in with sample values."""
    return fill(title, SAMPLES), fill(body, SAMPLES)


def check_template(kind: str, title: str, body: str) -> tuple[str, str]:
    """The cleaned title and text, or ActionError naming what is wrong, by field."""
    if kind not in LetterKind.values:
        raise ActionError({"kind": [_("Choose a kind of letter.")]})
    title = (title or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    for field, text, limit in (("title", title, TITLE_MAX), ("body", body, BODY_MAX)):
        if not text:
            errors.setdefault(field, []).append(_("This field cannot be empty."))
        elif len(text) > limit:
            errors.setdefault(field, []).append(
                _("At most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(text)}
            )
        unknown = unknown_placeholders(kind, text)
        if unknown:
            errors.setdefault(field, []).append(
                _("Unknown placeholders: %(names)s. Use only the ones listed for this kind of letter.")
                % {"names": ", ".join("{" + n + "}" for n in unknown)}
            )
    if errors:
        raise ActionError(errors)
    return title, body


@action
def save_letter_template(
    *, actor: Any, organisation: Any, kind: str, title: str, body: str, reason: str = ""
) -> LetterTemplate:
    """Set ``organisation``'s wording of ``kind`` (``organisation=None``: the platform's wording)."""
    authorize(actor, "change", LetterTemplate(organisation=organisation, kind=kind))
    title, body = check_template(kind, title, body)
    template = LetterTemplate.objects.select_for_update().filter(organisation=organisation, kind=kind).first()
    before = snapshot(template, ["title", "body"]) if template is not None else None
    if template is None:
        template = LetterTemplate.objects.create(organisation=organisation, kind=kind, title=title, body=body)
    elif (template.title, template.body) == (title, body):
        return template
    else:
        template.title, template.body = title, body
        template.save(update_fields=["title", "body", "updated_at"])
    record(actor=actor, verb="applications.save_letter_template", obj=template, before=before,
           after={"kind": kind, "title": title, "body": body}, reason=reason)  # fmt: skip
    return template


@action
def reset_letter_template(*, actor: Any, organisation: Any, kind: str, reason: str = "") -> bool:
    """Drop ``organisation``'s own wording of ``kind``: its letters use the inherited one again.

    Returns whether there was one to drop.
    """
    authorize(actor, "change", LetterTemplate(organisation=organisation, kind=kind))
    if kind not in LetterKind.values:
        raise ActionError({"kind": [_("Choose a kind of letter.")]})
    template = LetterTemplate.objects.select_for_update().filter(organisation=organisation, kind=kind).first()
    if template is None:
        return False
    record(actor=actor, verb="applications.reset_letter_template", obj=template,
           before={"kind": kind, **snapshot(template, ["title", "body"])}, after=None, reason=reason)  # fmt: skip
    template.delete()
    return True
