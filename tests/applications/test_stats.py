"""Table 三 counts: new, carried in, results, carried out; R1 and R5 by construction."""

from __future__ import annotations

from datetime import date

from gongkai.applications import actions, actions_replies, stats


def test_table_three_counts_each_application_once_across_years(world, register, person) -> None:
    a = register(date(2024, 12, 20))  # open over the new year
    b = register(date(2025, 3, 3), applicant_type="business", id_type="other", id_number="营业执照 123",
                 applicant_name="某公司")  # fmt: skip
    c = register(date(2025, 12, 25), applicant_type="legal", id_type="passport", id_number="E12345678")
    d = register(date(2025, 5, 6))
    actions.submit_application(
        actor=None, organisation=world.unit_a, **person
    )  # never confirmed: not counted
    actions_replies.reply_application(actor=world.reviewer, application=a, outcome="open", reply_type="r19_provide",
                                      text="x", on=date(2025, 1, 10))  # fmt: skip
    actions_replies.reply_application(actor=world.reviewer, application=b, outcome="partial", reply_type="r19_partial",
                                      legal_basis="第十五条", text="x", on=date(2025, 3, 20))  # fmt: skip
    actions_replies.withdraw_application(
        actor=world.reviewer, application=d, reason="撤回", on=date(2025, 5, 8)
    )
    t24, t25 = stats.table3(2024), stats.table3(2025)
    assert (t24.new["total"], t24.carried_out["total"], t24.results_total("total")) == (1, 1, 0)
    assert t25.new == {"person": 1, "business": 1, "research": 0, "nonprofit": 0, "legal": 1, "other_org": 0,
                       "total": 3}  # fmt: skip
    assert t25.carried_in["person"] == 1 and t25.carried_in == t24.carried_out  # R5
    assert t25.results["open"]["person"] == 1
    assert t25.results["partial"]["business"] == 1
    assert t25.results["other_3"]["person"] == 1
    assert t25.carried_out["legal"] == 1 and t25.carried_out["total"] == 1
    assert t24.problems() == [] and t25.problems() == []
    assert list(stats.cell_records(2025, "partial", "business")) == [b]
    assert set(stats.cell_records(2025, "new", "total").values_list("pk", flat=True)) == {b.pk, d.pk, c.pk}


def test_the_counts_are_scoped_to_the_organisations_given(world, register) -> None:
    register(date(2025, 3, 3))
    register(date(2025, 3, 3), organisation=world.unit_b)
    assert stats.table3(2025, [world.unit_a.pk]).new["total"] == 1
    assert stats.table3(2025).new["total"] == 2
