"""``gongkai import applications``: historical cases replayed through the actions, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.applications.idcard import check_char
from gongkai.applications.imports import ApplicationsImporter, import_applications_file
from gongkai.applications.imports_parsing import HEADERS, mask_name, parse_application_rows
from gongkai.applications.models import Application, ApplicationSerial, Letter, Status
from gongkai.audit.models import AuditEvent
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.exports import exporters
from gongkai.disclosure.imports import importers
from gongkai.notifications.models import Message
from gongkai.workdays.models import Clock

pytestmark = pytest.mark.django_db

ID_BODY = "43022319800101001"
VALID_ID = ID_BODY + check_char(ID_BODY)
BAD_ID = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")


def person(**over: str) -> dict[str, str]:
    return {
        "申请人类型": "自然人", "申请人": "李明", "证件类型": "居民身份证", "证件号码": VALID_ID,
        "联系电话": "13800000000", "电子邮箱": "liming@example.com", "通信地址": "湖南省攸县联星街道1号",
        "信息载体形式": "电子文件", "获取方式": "电子邮件", **over,
    }  # fmt: skip


def good_rows() -> list[dict[str, str]]:
    """Seven historical cases, one of each kind of timeline."""
    return [
        # 1. 2019 text, in person, disclosed on time (due 2025-10-30, RULES §1).
        {"受理机关": "攸县财政局", "申请方式": "当面申请", "提交日期": "2025-09-26", **person(),
         "所需信息名称": "2024年部门预算", "办理结果": "予以公开", "答复类型": "r19_provide", "答复日期": "2025-10-20",
         "答复内容": "现将所申请信息提供给您。"},
        # 2. Registered mail; corrected (clock restarts 10-09: due 11-05), extended by 10 (11-19), answered
        #    on 11-20: late.
        {"受理机关": "攸县财政局", "申请方式": "挂号信", "提交日期": "2025-09-22", "收到日期": "2025-09-26",
         **person(申请人="王芳", 获取方式="邮寄"), "所需信息名称": "征地补偿标准", "补正告知日期": "2025-09-29",
         "补正事项": "请写明地块名称", "补正期限": "10", "补正收到日期": "2025-10-09", "延期工作日": "10",
         "延期批准日期": "2025-10-20", "延期批准人": "reviewer", "延期理由": "需调取档案", "办理结果": "部分公开",
         "答复类型": "r19_partial", "法律依据": "《条例》第三十七条", "答复内容": "部分公开。", "答复日期": "2025-11-20"},
        # 3. 2008 text, online, with its historical case number; the reply type follows from the result.
        {"案件编号": "攸财依申〔2013〕1号", "机构代码": "", "受理机关": "攸县财政局", "申请方式": "网上申请",
         "提交日期": "2013-09-29", "收到日期": "2013-09-30", **person(申请人="陈红", 证件类型="", 证件号码=""),
         "所需信息名称": "2013年部门预算", "办理结果": "予以公开", "答复日期": "2013-10-18"},
        # 4. A per-page fee of 4,700 yuan (250 pages), paid; disclosed.
        {"案件编号": "YSQ2025000123", "受理机关": "攸县教育局", "申请方式": "当面申请", "提交日期": "2025-09-26",
         **person(申请人="赵强"), "所需信息名称": "校舍工程资料", "收费金额": "4700", "收费页数": "250",
         "收费通知日期": "2025-10-09", "缴费日期": "2025-10-13", "收据号": "No.001", "办理结果": "予以公开",
         "答复类型": "r19_public", "答复日期": "2025-11-03"},
        # 5. Still open: no result.
        {"受理机关": "攸县财政局", "申请方式": "传真", "提交日期": "2025-11-03", **person(申请人="钱进"),
         "所需信息名称": "政府采购合同"},
        # 6. Withdrawn.
        {"受理机关": "攸县财政局", "申请方式": "口头申请", "提交日期": "2025-10-09", **person(申请人="孙丽"),
         "所需信息名称": "某文件", "办理结果": "撤回", "答复日期": "2025-10-10", "答复内容": "申请人电话撤回"},
        # 7. Correction never made: closed the day its period ended (其他处理 1).
        {"受理机关": "攸县财政局", "申请方式": "当面申请", "提交日期": "2025-10-09", **person(申请人="周六"),
         "所需信息名称": "不明确的信息", "补正告知日期": "2025-10-10", "补正期限": "10",
         "办理结果": "other_1"},
    ]  # fmt: skip


def columns(rows: list[dict[str, str]]) -> list[str]:
    return list(dict.fromkeys(k for r in rows for k in r))


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    header = columns(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    import openpyxl

    header = columns(rows)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        values = []
        for h in header:
            value = r.get(h, "")
            if h.endswith("日期") and value:
                value = date.fromisoformat(value)  # real dates in the workbook
            values.append(value)
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def by_name(name: str) -> Application:
    return Application.objects.select_related("clock").get(applicant_name=name)


def nothing_stored(events: int) -> None:
    assert Application.objects.count() == 0 and Letter.objects.count() == 0
    assert Clock.objects.filter(kind="application").count() == 0
    assert AuditEvent.objects.count() == events and Message.objects.count() == 0


# --- a good file --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name"),
    [(lambda r: csv_bytes(r, "utf-8"), "cases.csv"), (lambda r: csv_bytes(r, "utf-8-sig"), "cases.csv"),
     (lambda r: csv_bytes(r, "gbk"), "cases.csv"), (xlsx_bytes, "cases.xlsx")],
    ids=["utf-8", "utf-8-bom", "gbk", "xlsx"],
)  # fmt: skip
def test_a_good_file_creates_the_cases_with_their_clocks_and_results(world, make, name):
    result = import_applications_file(make(good_rows()), name, actor=world.reviewer)
    assert result.created == 7 == Application.objects.count()
    assert result.closed == 6 and result.late == 1

    first = by_name("李明")
    assert (first.rule_set, first.status, first.outcome, first.reply_type) == (
        "2019",
        "closed",
        "open",
        "r19_provide",
    )
    assert first.received_on == date(2025, 9, 26) and first.clock.due_date == date(2025, 10, 30)
    assert first.on_time is True and first.replied_on == date(2025, 10, 20)
    assert first.case_number.startswith("YSQ2025") and first.letters.filter(kind="reply").exists()

    late = by_name("王芳")
    assert (late.channel, late.received_on, late.signed_for_on) == ("registered_mail", date(2025, 9, 26),
                                                                     date(2025, 9, 26))  # fmt: skip
    correction = late.corrections.get()
    assert (correction.requested_on, correction.corrected_on, correction.period_days) == (
        date(2025, 9, 29), date(2025, 10, 9), 10)  # fmt: skip
    assert late.clock.start_date == date(2025, 10, 9) and late.clock.extension_days == 10
    assert late.clock.extensions.get().approved_by == world.reviewer
    assert late.clock.due_date == date(2025, 11, 19) and late.on_time is False
    assert (late.outcome, late.legal_basis) == ("partial", "《条例》第三十七条")

    old = Application.objects.get(case_number="攸财依申〔2013〕1号")
    assert (old.rule_set, old.channel, old.confirmed_on) == ("2008", "online", date(2013, 9, 30))
    assert (old.outcome, old.reply_type, old.on_time) == ("open", "r08_public", True)
    assert old.clock.limit_days == 15 and old.clock.label == old.case_number
    assert old.case_number in old.letters.get(kind="acknowledgement").body

    fee = by_name("赵强")
    assert fee.case_number == "YSQ2025000123" and fee.organisation == world.unit_b
    notice = fee.fees.get()
    assert (notice.amount, notice.status, notice.paid_on, notice.receipt_number) == (
        Decimal(4700), "paid", date(2025, 10, 13), "No.001")  # fmt: skip
    assert fee.clock.pauses.get().end == date(2025, 10, 13) and fee.on_time is True

    assert by_name("钱进").status == Status.PROCESSING and by_name("钱进").received_on == date(2025, 11, 3)
    withdrawn = by_name("孙丽")
    assert (withdrawn.outcome, withdrawn.reply_type, withdrawn.replied_on) == (
        "other_3", "r19_withdrawn", date(2025, 10, 10))  # fmt: skip
    lapsed = by_name("周六")
    assert (lapsed.outcome, lapsed.reply_type) == ("other_1", "r19_no_correction")
    assert lapsed.replied_on == lapsed.corrections.get().due_on and lapsed.corrections.get().lapsed

    # New cases never collide with a kept number of the platform's own form.
    assert ApplicationSerial.objects.get(year=2025).last >= 123
    # Nobody is told about historical cases.
    assert Message.objects.count() == 0
    assert AuditEvent.objects.filter(verb="applications.keep_case_number").count() == 2


def test_the_command_imports_as_a_user_and_only_as_a_user(world, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes(good_rows()[:2]))
    with pytest.raises(CommandError):
        call_command("import", "applications", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Application.objects.count() == 0
    out = io.StringIO()
    call_command("import", "applications", str(path), "--actor", "reviewer", "--dry-run", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    assert Application.objects.count() == 0 and out.getvalue()
    call_command("import", "applications", str(path), "--actor", "reviewer", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    assert Application.objects.count() == 2


def test_the_kind_is_registered_with_a_template_that_imports(world):
    assert isinstance(importers()["applications"], ApplicationsImporter)
    assert "applications" in exporters()
    for fmt in ("csv", "xlsx"):
        data = importers()["applications"].template(fmt)
        parsed = parse_application_rows(data, f"t.{fmt}", actor=world.reviewer)
        assert parsed.errors == [] and len(parsed.rows) == 1
    result = import_applications_file(
        importers()["applications"].template("csv"), "t.csv", actor=world.reviewer
    )
    app = Application.objects.get(pk=result.rows[0].application_id)
    assert (app.outcome, app.on_time, app.clock.extension_days) == ("open", True, 10)


# --- a bad file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        ({"证件号码": BAD_ID}, "证件号码"),
        ({"证件号码": "12345"}, "证件号码"),
        ({"答复类型": "r08_public"}, "答复类型"),  # a 2008 reply type for a 2019 case
        (
            {"办理结果": "noprocess_4", "答复类型": "", "法律依据": "x"},
            "办理结果",
        ),  # Art. 35 on a 2013 case, below
        ({"答复日期": "2025-09-25"}, "答复日期"),  # before receipt
        ({"补正告知日期": "2025-09-29", "补正收到日期": "2025-09-28"}, "补正收到日期"),
        ({"延期工作日": "21", "延期批准人": "reviewer"}, "延期工作日"),
        ({"延期工作日": "5", "延期批准人": "nobody"}, "延期批准人"),
        ({"提交日期": "2999-01-01"}, "提交日期"),
        ({"提交日期": "2025-02-30"}, "提交日期"),
        ({"受理机关": "攸县不存在局"}, "受理机关"),
        ({"申请方式": "飞鸽传书"}, "申请方式"),
        ({"办理结果": "部分公开", "答复类型": "r19_partial", "法律依据": ""}, "法律依据"),
        ({"收到日期": "2025-09-27"}, "收到日期"),  # in person: received the day it is made
        ({"提交日期": "2007-06-01"}, "收到日期"),  # before the 2008 regulation
    ],
)
def test_one_bad_row_stores_nothing_and_names_the_row_and_column(world, bad, column):
    rows = good_rows()
    if bad.get("办理结果") == "noprocess_4":
        rows[2] = {**rows[2], **bad}  # the 2013 case (row 4 of the file)
        target = 4
    else:
        rows[0] = {**rows[0], **bad}  # row 2 of the file
        target = 2
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(rows), "cases.csv", actor=world.reviewer)
    assert (target, column) in [(e.row, e.column) for e in caught.value.errors], caught.value.errors
    assert all(e.row == target for e in caught.value.errors), caught.value.errors
    nothing_stored(events)


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        # The actions' own rules, met while replaying: a 补正 notice later than 7 working days under 2019 …
        ({"补正告知日期": "2025-10-14", "补正收到日期": "2025-10-15"}, "补正告知日期"),
        # … an extension approved by someone who is not the office head …
        ({"延期工作日": "5", "延期批准日期": "2025-10-09", "延期批准人": "clerk_a"}, "延期批准人"),
        # … an extension decided after the period ended …
        (
            {
                "延期工作日": "5",
                "延期批准日期": "2025-11-03",
                "延期批准人": "reviewer",
                "答复日期": "2025-11-05",
            },
            "延期批准日期",
        ),
        # … and free pages charged.
        ({"收费页数": "20", "收费通知日期": "2025-10-09", "缴费日期": "2025-10-10"}, "收费页数"),
    ],
)
def test_a_row_the_actions_refuse_rolls_back_every_row(world, bad, column):
    rows = good_rows()
    rows[6] = {**rows[0], **{"申请人": "吴七"}, **bad}  # the last row of the file: row 8
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(rows), "cases.csv", actor=world.reviewer)
    assert [(e.row, e.column) for e in caught.value.errors] == [(8, column)], caught.value.errors
    nothing_stored(events)


def test_a_fee_amount_that_does_not_match_the_bands_is_refused(world):
    rows = good_rows()
    rows[3] = {**rows[3], "收费金额": "4000"}
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(rows), "cases.csv", actor=world.reviewer)
    assert [(e.row, e.column) for e in caught.value.errors] == [(5, "收费金额")]
    assert "4700.00" in str(caught.value.errors[0])
    assert Application.objects.count() == 0


def test_case_numbers_must_be_unique_in_the_file_and_the_database(world):
    rows = good_rows()
    rows[0] = {**rows[0], "案件编号": "攸财依申〔2013〕1号"}
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(rows), "cases.csv", actor=world.reviewer)
    assert (4, "案件编号") in [(e.row, e.column) for e in caught.value.errors]
    import_applications_file(csv_bytes(good_rows()[2:3]), "one.csv", actor=world.reviewer)
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(good_rows()[2:3]), "again.csv", actor=world.reviewer)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "案件编号")]
    assert Application.objects.count() == 1


def test_every_bad_row_is_reported_at_once(world):
    rows = good_rows()
    rows[0] = {**rows[0], "证件号码": BAD_ID}
    rows[4] = {**rows[4], "提交日期": "2025/13/01"}
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(rows), "cases.csv", actor=world.reviewer)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "证件号码"), (6, "提交日期")]


def test_outsiders_cannot_import_cases_of_other_agencies(world):
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(csv_bytes(good_rows()), "cases.csv", actor=world.clerk_b)
    assert {(e.row, e.column) for e in caught.value.errors} >= {(2, "受理机关"), (3, "受理机关")}
    assert Application.objects.count() == 0


def test_missing_columns_are_reported(world):
    data = "受理机关,提交日期\n攸县财政局,2025-09-26\n".encode()
    with pytest.raises(ImportRejected) as caught:
        import_applications_file(data, "cases.csv", actor=world.reviewer)
    missing = {e.column for e in caught.value.errors if e.row is None}
    assert {HEADERS["channel"], HEADERS["applicant_name"], HEADERS["info_title"]} <= missing


# --- the export -----------------------------------------------------------------------------------------


def test_the_export_leaves_out_personal_data(world):
    import_applications_file(csv_bytes(good_rows()), "cases.csv", actor=world.reviewer)
    out = io.StringIO()
    call_command("export", "applications", "--format", "json", stdout=out, stderr=io.StringIO())
    records = json.loads(out.getvalue())
    assert len(records) == 7
    text = out.getvalue()
    for secret in (VALID_ID, "13800000000", "liming@example.com", "联星街道", "王芳"):
        assert secret not in text
    first = next(r for r in records if r["applicant_name"] == "李*")
    assert first["outcome"] == "open" and first["on_time"] is True and first["due_date"] == "2025-10-30"
    out = io.StringIO()
    call_command("export", "applications", "--format", "csv", stdout=out, stderr=io.StringIO())
    table = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert table[0][0] == "案件编号" and len(table) == 8 and VALID_ID not in out.getvalue()


def test_names_are_masked_for_persons_only():
    assert mask_name("李明") == "李*" and mask_name("欧阳娜娜") == "欧***" and mask_name("王") == "王*"
    assert mask_name("攸县宏达建材有限公司", "business") == "攸县宏达建材有限公司"
