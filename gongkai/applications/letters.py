"""告知书: the numbered letters of an application, from each organisation's editable templates.

A template's text has placeholders in braces (``{case_number}``); only plain names are
replaced, so an edited template cannot reach into Python objects. The wording below is
the platform's default, used when an organisation has not written its own.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from gongkai.applications.models import Application, Letter, LetterKind, LetterSerial, LetterTemplate

REMEDIES = (
    "申请人如对本答复不服，可以自收到本告知书之日起六十日内向{review_body}申请行政复议，"
    "或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。"
)

DEFAULTS: dict[str, tuple[str, str]] = {
    LetterKind.ACKNOWLEDGEMENT: (
        "政府信息公开申请登记回执",
        "{applicant_name}：\n\n"
        "本机关于{received_on}收到您提交的政府信息公开申请（案件编号：{case_number}），"
        "申请获取的信息为：“{info_title}”。本机关将依照《中华人民共和国政府信息公开条例》的规定，"
        "在{reply_days}个工作日内（即{due_date}前）予以答复。\n\n"
        "您可凭案件编号和查询码在本机关门户网站查询办理进度。\n\n{organisation}\n{date}",
    ),
    LetterKind.CORRECTION: (
        "政府信息公开申请补正告知书",
        "{applicant_name}：\n\n"
        "本机关于{received_on}收到您提交的政府信息公开申请（案件编号：{case_number}）。"
        "经审查，您的申请内容不明确，请您对以下内容作出更改、补充：\n\n{items}\n\n"
        "请您在{period_days}个工作日内（即{correct_by}前）提交补正后的申请。"
        "答复期限自本机关收到补正后的申请之日起计算。无正当理由逾期不补正的，视为放弃申请，"
        "本机关不再处理该政府信息公开申请。\n\n{organisation}\n{date}",
    ),
    LetterKind.EXTENSION: (
        "政府信息公开申请延期答复告知书",
        "{applicant_name}：\n\n"
        "本机关于{received_on}收到您提交的政府信息公开申请（案件编号：{case_number}）。"
        "因{reason}，不能在规定期限内作出答复。经本机关政府信息公开工作机构负责人同意，"
        "答复期限延长{days}个工作日，本机关将于{due_date}前作出答复。\n\n{organisation}\n{date}",
    ),
    LetterKind.CONSULTATION: (
        "政府信息公开征求意见函",
        "{party}：\n\n"
        "本机关收到政府信息公开申请（案件编号：{case_number}），申请公开的信息为“{info_title}”，"
        "该信息的公开可能{consultation_reason}。根据《中华人民共和国政府信息公开条例》的规定，"
        "现书面征求你方意见，请于{reply_due}前（{consultation_days}个工作日内）提出意见。"
        "{silence_rule}\n\n{organisation}\n{date}",
    ),
    LetterKind.FEE: (
        "政府信息公开信息处理费缴费通知书",
        "{applicant_name}：\n\n"
        "您提交的政府信息公开申请（案件编号：{case_number}）需收取信息处理费。\n\n"
        "收费依据：{fee_basis}\n计费方式：{fee_rate}\n应缴金额：{amount}元\n缴费方式：{instructions}\n\n"
        "请您自收到本通知次日起{payment_days}个工作日内（即{pay_by}前）缴纳费用。"
        "逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。"
        "自发出收费通知之日起至您缴费之日止的期间，不计算在答复期限内。\n\n{organisation}\n{date}",
    ),
    LetterKind.LATER_DATE: (
        "政府信息公开申请延后答复告知书",
        "{applicant_name}：\n\n"
        "您提交的政府信息公开申请（案件编号：{case_number}）数量较大。根据《中华人民共和国政府信息公开条例》"
        "第三十五条，本机关确定延后至{later_date}前答复，理由如下：\n\n{reason}\n\n{organisation}\n{date}",
    ),
    LetterKind.REPLY: (
        "政府信息公开申请答复告知书",
        "{applicant_name}：\n\n"
        "本机关于{received_on}收到您提交的政府信息公开申请（案件编号：{case_number}），"
        "申请获取“{info_title}”{info_number_clause}。现答复如下：\n\n{decision}\n\n{reply_text}\n\n"
        "依据：{legal_basis}\n\n{how_to_obtain}" + REMEDIES + "\n\n{organisation}\n{date}",
    ),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(text: str, values: dict[str, Any]) -> str:
    """Replace ``{name}`` with its value; unknown names stay as they are."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def template_for(application: Application, kind: str) -> tuple[str, str]:
    """The organisation's own wording, else its government's, else the default."""
    org_ids = [application.organisation_id, *reversed(application.organisation.ancestor_ids())]
    found = {
        t.organisation_id: t for t in LetterTemplate.objects.filter(organisation_id__in=org_ids, kind=kind)
    }
    for org_id in org_ids:
        if org_id in found:
            return found[org_id].title, found[org_id].body
    platform = LetterTemplate.objects.filter(organisation__isnull=True, kind=kind).first()
    if platform is not None:
        return platform.title, platform.body
    return DEFAULTS[kind]


def _cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def base_values(application: Application, on: date) -> dict[str, Any]:
    org = application.organisation
    parent = org.parent
    return {
        "case_number": application.case_number,
        "applicant_name": application.applicant_name,
        "info_title": application.info_title,
        "info_number_clause": f"（文号：{application.info_number}）" if application.info_number else "",
        "received_on": _cn_date(application.received_on),
        "organisation": org.name,
        "date": _cn_date(on),
        "reply_days": application.rules.reply_days,
        "due_date": _cn_date(application.clock.due_date if application.clock_id else None),
        "review_body": f"{parent.name}" if parent is not None else "上一级行政机关",
    }


def next_number(application: Application, on: date) -> str:
    """The organisation's next letter number of the year, e.g. 攸县财政局依申请〔2026〕12号."""
    serial, _ = LetterSerial.objects.select_for_update().get_or_create(
        organisation_id=application.organisation_id, year=on.year
    )
    LetterSerial.objects.filter(pk=serial.pk).update(last=serial.last + 1)
    prefix = application.organisation.short_name or application.organisation.name
    return f"{prefix}依申请〔{on.year}〕{serial.last + 1}号"


def issue(*, application: Application, kind: str, on: date, actor: Any, **values: Any) -> Letter:
    """Write the letter from the template (inside the calling action's transaction)."""
    title, body = template_for(application, kind)
    filled = {**base_values(application, on), **{k: (_cn_date(v) if isinstance(v, date) else v)
                                                    for k, v in values.items()}}  # fmt: skip
    return Letter.objects.create(
        application=application,
        kind=kind,
        number=next_number(application, on),
        issued_on=on,
        title=fill(title, filled),
        body=fill(body, filled),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
