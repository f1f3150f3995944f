"""How an application ends: the annual report's table 三 result row and the statutory reply type.

``Outcome`` is the result row of table 三 in the 2021 standard format (国办公开办函〔2021〕30号,
RULES §4.1), in the table's order; the annual report counts applications by it. ``ReplyType``
is the legal form of the reply: the 2019 text's Art. 36 items and the neighbouring articles
(37 partial, 35 massive, 39 petitions, 30 correction, 42 fees), and the 2008 text's four
categories of Art. 21 (plus Art. 22 partial). A reply type belongs to one rule set, and each
outcome allows only the reply types that can lead to it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.applications.rules import RuleSetCode


class Outcome(models.TextChoices):
    OPEN = "open", _("Disclosed (予以公开)")
    PARTIAL = "partial", _("Partly disclosed (部分公开)")
    REFUSE_SECRET = "refuse_1", _("Not disclosed: state secret (属于国家秘密)")
    REFUSE_LAW = "refuse_2", _("Not disclosed: other laws forbid disclosure (其他法律行政法规禁止公开)")
    REFUSE_SECURITY = (
        "refuse_3",
        _("Not disclosed: endangers the three securities and stability (危及“三安全一稳定”)"),
    )
    REFUSE_THIRD_PARTY = "refuse_4", _("Not disclosed: protects a third party's rights (保护第三方合法权益)")
    REFUSE_INTERNAL = "refuse_5", _("Not disclosed: internal affairs (属于三类内部事务信息)")
    REFUSE_PROCESS = "refuse_6", _("Not disclosed: process information (属于四类过程性信息)")
    REFUSE_ENFORCEMENT = "refuse_7", _("Not disclosed: enforcement case file (属于行政执法案卷)")
    REFUSE_QUERY = "refuse_8", _("Not disclosed: administrative query (属于行政查询事项)")
    UNABLE_NOT_HELD = "unable_1", _("Cannot provide: this agency does not hold it (本机关不掌握相关政府信息)")
    UNABLE_MUST_CREATE = "unable_2", _("Cannot provide: would have to be created (没有现成信息需要另行制作)")
    UNABLE_UNCLEAR = "unable_3", _("Cannot provide: still unclear after correction (补正后申请内容仍不明确)")
    NOT_PROCESSED_PETITION = (
        "noprocess_1",
        _("Not processed: petition, report or complaint (信访举报投诉类申请)"),
    )
    NOT_PROCESSED_REPEATED = "noprocess_2", _("Not processed: repeated application (重复申请)")
    NOT_PROCESSED_PUBLICATION = "noprocess_3", _("Not processed: asks for a publication (要求提供公开出版物)")
    NOT_PROCESSED_MASSIVE = (
        "noprocess_4",
        _("Not processed: massive or repeated without good reason (无正当理由大量反复申请)"),
    )
    NOT_PROCESSED_CONFIRM = (
        "noprocess_5",
        _("Not processed: asks to confirm or re-issue information (要求行政机关确认或重新出具已获取信息)"),
    )
    OTHER_NO_CORRECTION = "other_1", _("Other: correction not made in time (逾期不补正)")
    OTHER_FEE_UNPAID = "other_2", _("Other: fee not paid in time (逾期未缴费)")
    OTHER = "other_3", _("Other (其他, including withdrawal)")


class ReplyType(models.TextChoices):
    # 2019 text
    R19_PUBLIC = "r19_public", _("2019 Art. 36(1): already public, where to find it")
    R19_PROVIDE = "r19_provide", _("2019 Art. 36(2): disclosed, provided or how to obtain it")
    R19_PARTIAL = "r19_partial", _("2019 Art. 37: partly disclosed, reasons for what is withheld")
    R19_WITHHOLD = "r19_withhold", _("2019 Art. 36(3): not disclosed, reason and legal ground")
    R19_NONEXISTENT = "r19_nonexistent", _("2019 Art. 36(4): does not exist after search")
    R19_NOT_OURS = "r19_not_ours", _("2019 Art. 36(5): not this agency's, which agency holds it")
    R19_REPEATED = "r19_repeated", _("2019 Art. 36(6): repeated application already answered")
    R19_SPECIAL = "r19_special", _("2019 Art. 36(7): special regime (business, real-estate registers)")
    R19_MUST_CREATE = "r19_must_create", _("2019 Art. 38: would have to be created or compiled")
    R19_UNCLEAR = "r19_unclear", _("2019 Art. 30: still unclear after correction")
    R19_NO_CORRECTION = "r19_no_correction", _("2019 Art. 30: correction not made, deemed withdrawn")
    R19_MASSIVE = "r19_massive", _("2019 Art. 35: massive or repeated applications without good reason")
    R19_PETITION = "r19_petition", _("2019 Art. 39(1): petition, report or complaint")
    R19_PUBLICATION = "r19_publication", _("2019 Art. 39(2): publication or confirmation of information")
    R19_FEE_UNPAID = "r19_fee_unpaid", _("2019 Art. 42: fee not paid in time")
    R19_WITHDRAWN = "r19_withdrawn", _("Withdrawn by the applicant")
    R19_OTHER = "r19_other", _("Other handling")
    # 2008 text
    R08_PUBLIC = "r08_public", _("2008 Art. 21(1): within the scope of disclosure, how to obtain it")
    R08_PARTIAL = "r08_partial", _("2008 Art. 22: partly disclosed")
    R08_WITHHOLD = "r08_withhold", _("2008 Art. 21(2): not disclosed, with the reason")
    R08_NOT_OURS = "r08_not_ours", _("2008 Art. 21(3): not this agency's or does not exist")
    R08_UNCLEAR = "r08_unclear", _("2008 Art. 21(4): unclear, to be changed or supplemented")
    R08_WITHDRAWN = "r08_withdrawn", _("Withdrawn by the applicant")
    R08_OTHER = "r08_other", _("Other handling")


Oc, T = Outcome, ReplyType
ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    RuleSetCode.R2019: {
        Oc.OPEN: (T.R19_PUBLIC, T.R19_PROVIDE),
        Oc.PARTIAL: (T.R19_PARTIAL,),
        **{o: (T.R19_WITHHOLD,) for o in Outcome.values if o.startswith("refuse_")},
        Oc.UNABLE_NOT_HELD: (T.R19_NONEXISTENT, T.R19_NOT_OURS),
        Oc.UNABLE_MUST_CREATE: (T.R19_MUST_CREATE,),
        Oc.UNABLE_UNCLEAR: (T.R19_UNCLEAR,),
        Oc.NOT_PROCESSED_PETITION: (T.R19_PETITION,),
        Oc.NOT_PROCESSED_REPEATED: (T.R19_REPEATED,),
        Oc.NOT_PROCESSED_PUBLICATION: (T.R19_PUBLICATION,),
        Oc.NOT_PROCESSED_MASSIVE: (T.R19_MASSIVE,),
        Oc.NOT_PROCESSED_CONFIRM: (T.R19_PUBLICATION,),
        Oc.OTHER_NO_CORRECTION: (T.R19_NO_CORRECTION,),
        Oc.OTHER_FEE_UNPAID: (T.R19_FEE_UNPAID,),
        Oc.OTHER: (T.R19_WITHDRAWN, T.R19_SPECIAL, T.R19_OTHER),
    },
    RuleSetCode.R2008: {
        Oc.OPEN: (T.R08_PUBLIC,),
        Oc.PARTIAL: (T.R08_PARTIAL,),
        **{o: (T.R08_WITHHOLD,) for o in Outcome.values if o.startswith("refuse_")},
        Oc.UNABLE_NOT_HELD: (T.R08_NOT_OURS,),
        Oc.UNABLE_MUST_CREATE: (T.R08_NOT_OURS,),
        Oc.UNABLE_UNCLEAR: (T.R08_UNCLEAR,),
        Oc.NOT_PROCESSED_PETITION: (T.R08_OTHER,),
        Oc.NOT_PROCESSED_REPEATED: (T.R08_OTHER,),
        Oc.NOT_PROCESSED_PUBLICATION: (T.R08_OTHER,),
        # Art. 35 (massive applications) does not exist in the 2008 text.
        Oc.NOT_PROCESSED_CONFIRM: (T.R08_OTHER,),
        Oc.OTHER_NO_CORRECTION: (T.R08_UNCLEAR,),
        Oc.OTHER_FEE_UNPAID: (T.R08_OTHER,),
        Oc.OTHER: (T.R08_WITHDRAWN, T.R08_OTHER),
    },
}

# The 2008-era narrative report (RULES §4.3) groups replies in the four categories of 2008 Art. 21.
NARRATIVE_2008_GROUP = {
    T.R08_PUBLIC: "public",
    T.R08_PARTIAL: "public",
    T.R08_WITHHOLD: "withheld",
    T.R08_NOT_OURS: "not_ours",
    T.R08_UNCLEAR: "unclear",
    T.R08_WITHDRAWN: "other",
    T.R08_OTHER: "other",
}

# Replies that (partly) provide information: delivery by the chosen channel follows.
PROVIDES_INFORMATION = {Oc.OPEN, Oc.PARTIAL}


def allowed_reply_types(rule_set: str, outcome: str) -> tuple[str, ...]:
    return ALLOWED.get(rule_set, {}).get(outcome, ())


def outcomes_for(rule_set: str) -> list[str]:
    return [o for o in Outcome.values if allowed_reply_types(rule_set, o)]


def reply_types_for(rule_set: str) -> list[str]:
    prefix = "r19_" if rule_set == RuleSetCode.R2019 else "r08_"
    return [t for t in ReplyType.values if t.startswith(prefix)]
