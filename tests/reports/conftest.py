"""A county's year of records (2024 → 2025 → 2026), made through the real actions.

``year`` builds: applications of every result row of table 三 across several applicant columns,
carried over into 2025 and out of it; normative documents issued, repealed and in force; service
cases of a licensing item and fees; decision counts entered; review and litigation cases of
each kind and result. ``Year.expected`` holds the figures a clerk would count by hand.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from gongkai.applications import actions as app_actions
from gongkai.applications import actions_replies
from gongkai.applications.outcomes import ALLOWED, Outcome
from gongkai.disclosure import actions as item_actions
from gongkai.disclosure.models import Genre
from gongkai.services import actions as svc_actions
from gongkai.services.models import CaseResult
from tests.applications.conftest import PERSON
from tests.reports import records
from tests.services.conftest import Svc

D = date
ORG_FIELDS = {"id_type": "other", "id_number": "营业执照 91430223", "applicant_name": "某公司"}
# The applicant column of each result row, rotating over the columns.
COLUMN_CYCLE = ["person", "business", "research", "person", "nonprofit", "legal", "other_org"]


def applicant(column: str) -> dict[str, Any]:
    return {} if column == "person" else {"applicant_type": column, **ORG_FIELDS}


class Year:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.svc = Svc(world)
        self.apps: dict[str, Any] = {}
        self.items: dict[str, Any] = {}
        self.cases: dict[str, Any] = {}
        self.disputes: dict[str, Any] = {}

    # --- applications ----------------------------------------------------------------------------

    def register(self, on: date, org: Any = None, column: str = "person", channel: str = "in_person",
                 **receipt: Any) -> Any:  # fmt: skip
        fields = {**PERSON, **applicant(column)}
        app, _ = app_actions.register_application(
            actor=self.world.reviewer, organisation=org or self.world.unit_a, channel=channel,
            submitted_on=on, **receipt, **fields,
        )  # fmt: skip
        return app

    def reply(self, app: Any, outcome: str, on: date) -> Any:
        reply_type = ALLOWED["2019"][outcome][0]
        return actions_replies.reply_application(actor=self.world.reviewer, application=app, outcome=outcome,
                                                 reply_type=reply_type, legal_basis="第十四条", text="答复", on=on)  # fmt: skip

    def applications(self) -> None:
        w = self.world
        # Open over the new year 2024 → 2025 (carried out of 2024, into 2025).
        self.apps["a1"] = self.register(D(2024, 12, 16))
        self.apps["a2"] = self.register(D(2024, 12, 18), org=w.unit_b, column="business")
        self.reply(self.apps["a1"], "open", D(2025, 1, 10))
        self.reply(self.apps["a2"], "partial", D(2025, 1, 15))
        # Closed within 2024: counted in 2024 only.
        self.apps["a0"] = self.register(D(2024, 3, 4))
        self.reply(self.apps["a0"], "open", D(2024, 3, 8))
        # One application per result row in 2025 (the lapsed and withdrawn ones below).
        start = D(2025, 2, 10)
        replied = [o for o in Outcome.values if o not in ("other_1", "other_2", "other_3")]
        for i, outcome in enumerate(replied):
            received = start + timedelta(weeks=i)
            column = COLUMN_CYCLE[i % len(COLUMN_CYCLE)]
            org = w.township if i % 5 == 4 else w.unit_a
            app = self.register(received, org=org, column=column)
            self.apps[outcome] = self.reply(app, outcome, received + timedelta(days=3))
        # 其他处理 1: correction not made in time.
        app = self.register(D(2025, 9, 1), column="research")
        app_actions.request_correction(actor=w.reviewer, application=app, items="请写明文号", period_days=5,
                                       on=D(2025, 9, 2))  # fmt: skip
        # 其他处理 2: fee not paid in time.
        fee_app = self.register(D(2025, 9, 1), column="legal")
        app_actions.issue_fee_notice(actor=w.reviewer, application=fee_app, mode="per_page", pages=250,
                                     instructions="银行转账", on=D(2025, 9, 3))  # fmt: skip
        app_actions.lapse_overdue(actor=None, as_of=D(2025, 11, 20))
        self.apps["other_1"], self.apps["other_2"] = app, fee_app
        # 其他处理 3: withdrawn.
        wd = self.register(D(2025, 10, 13), column="other_org")
        self.apps["other_3"] = actions_replies.withdraw_application(actor=w.reviewer, application=wd, reason="撤回",
                                                                    on=D(2025, 10, 14))  # fmt: skip
        # Open at the end of 2025 (carried out), one replied in 2026.
        self.apps["b1"] = self.register(D(2025, 12, 22), column="research")
        self.apps["b2"] = self.register(D(2025, 12, 29), org=w.unit_b, column="legal")
        self.reply(self.apps["b1"], "open", D(2026, 1, 8))
        # Never confirmed online: not received, never counted.
        app_actions.submit_application(actor=None, organisation=w.unit_a, **PERSON)

    # --- normative documents ---------------------------------------------------------------------

    def item(self, name: str, genre: str, written: date, published: date, org: Any = None) -> Any:
        w = self.world
        item = item_actions.create_item(
            actor=w.reviewer, organisation=org or w.unit_a, title=f"文件{name}", summary="摘要", body="<p>正文</p>",
            written_on=written, formed_on=written, genre=Genre.objects.get(code=genre),
        )  # fmt: skip
        item = item_actions.publish_item(actor=w.reviewer, item=item, published_on=published)
        self.items[name] = item
        return item

    def documents(self) -> None:
        w = self.world
        self.item("rule25", "rule", D(2025, 3, 1), D(2025, 3, 10))
        old_rule = self.item("rule23", "rule", D(2023, 6, 1), D(2023, 6, 5), org=w.county)
        self.item("norm25", "normative", D(2025, 2, 1), D(2025, 2, 10))
        self.item("norm25b", "normative", D(2025, 4, 1), D(2025, 4, 3), org=w.township)
        repealed = self.item("norm24", "normative", D(2024, 5, 1), D(2024, 5, 10), org=w.unit_b)
        expired = self.item("norm23", "normative", D(2023, 1, 5), D(2023, 1, 9))
        later = self.item("norm24late", "normative", D(2024, 7, 1), D(2024, 7, 2))
        item_actions.change_validity(actor=w.reviewer, item=repealed, validity="repealed", on=D(2025, 6, 1),
                                     by_item=self.items["norm25"])  # fmt: skip
        item_actions.change_validity(actor=w.reviewer, item=expired, validity="expired", on=D(2024, 3, 1))
        item_actions.change_validity(actor=w.reviewer, item=later, validity="repealed", on=D(2026, 2, 1))
        item_actions.change_validity(actor=w.reviewer, item=old_rule, validity="amended", on=D(2025, 8, 1),
                                     by_item=self.items["rule25"])  # fmt: skip
        self.item("notice", "notice", D(2025, 5, 1), D(2025, 5, 2))  # not a normative document
        item_actions.create_item(actor=w.reviewer, organisation=w.unit_a, title="草稿", formed_on=D(2025, 5, 1),
                                 genre=Genre.objects.get(code="rule"))  # a draft: not counted  # fmt: skip

    # --- services --------------------------------------------------------------------------------

    def services(self) -> None:
        svc = self.svc

        def complete(case: Any, on: date, result: str = CaseResult.APPROVED) -> Any:
            return svc_actions.complete_case(actor=svc.centre_staff, case=case, result=result, reason="条件不符",
                                             on=on, certificate_number="ZS-1")  # fmt: skip

        for i, result in enumerate([CaseResult.APPROVED, CaseResult.APPROVED, CaseResult.DENIED]):
            case, _ = svc.receive(on=D(2025, 3, 3 + i))
            self.cases[f"lic{i}"] = complete(case, D(2025, 3, 10 + i), result)
        svc.receive(on=D(2025, 12, 29))  # open at the end of the year: no decision
        late, _ = svc.receive(on=D(2024, 12, 30))
        self.cases["lic_2025_from_2024"] = complete(late, D(2025, 1, 6))
        charged, _ = svc.receive(item=svc.charged, on=D(2025, 4, 1))
        svc_actions.collect_fee(actor=svc.centre_staff, case=charged, amount="12340.00", quantity=1234,
                                receipt="R-1", on=D(2025, 4, 1))  # fmt: skip
        self.cases["charged"] = complete(charged, D(2025, 4, 2))
        charged24, _ = svc.receive(item=svc.charged, on=D(2024, 4, 1))
        svc_actions.collect_fee(actor=svc.centre_staff, case=charged24, amount="10", receipt="R-0",
                                on=D(2024, 4, 1))  # fmt: skip

    # --- records ---------------------------------------------------------------------------------

    def other_records(self) -> None:
        w = self.world
        records.decision_count(w, w.unit_a, 2025, "penalty", 12)
        records.decision_count(w, w.unit_b, 2025, "penalty", 3)
        records.decision_count(w, w.unit_a, 2025, "enforcement", 4)
        records.decision_count(w, w.unit_b, 2025, "licensing", 5)
        records.decision_count(w, w.unit_a, 2024, "penalty", 99)  # another year
        d = self.disputes
        d["review_kept"] = records.dispute(w, w.unit_a, "review", D(2025, 2, 3), D(2025, 4, 1), "maintained")
        d["review_fixed"] = records.dispute(w, w.unit_b, "review", D(2025, 3, 3), D(2025, 5, 6), "corrected")
        d["review_open"] = records.dispute(w, w.unit_a, "review", D(2025, 11, 3), None, "pending")
        d["review_late"] = records.dispute(w, w.township, "review", D(2025, 10, 9), D(2026, 1, 10), "other")
        d["direct"] = records.dispute(
            w, w.unit_a, "litigation_direct", D(2025, 5, 5), D(2025, 9, 1), "maintained"
        )
        d["after"] = records.dispute(w, w.unit_b, "litigation_after_review", D(2025, 6, 2), D(2025, 10, 8),
                                     "corrected", review_case=d["review_fixed"])  # fmt: skip
        d["complaint"] = records.dispute(w, w.unit_a, "complaint", D(2025, 7, 1), D(2025, 7, 20), "other")
        d["old"] = records.dispute(w, w.unit_a, "review", D(2024, 6, 3), D(2024, 8, 1), "other")

    def build(self) -> Year:
        self.applications()
        self.documents()
        self.services()
        self.other_records()
        return self


@pytest.fixture
def year(world: Any) -> Year:
    return Year(world).build()


FEE_2025 = Decimal("1.2340")  # 12,340 yuan in 万元
