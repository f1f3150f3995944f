"""Exporting the service catalogue and cases (``gongkai export services|cases``).

The catalogue is written with the columns of the ``services`` import, so an
exported table imports again as it is (rows matched by unit and item code);
JSON adds the ids and uses the stored values (``licensing``, ``true``) instead
of the Chinese words. ``--template`` writes the empty table with one example
row, the downloadable template of the import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from gongkai.disclosure.exports import ExportColumn, Exporter, register_exporter
from gongkai.services.imports import (
    APPLICANT_ZH,
    CASE_COLUMNS,
    CHANNEL_ZH,
    ITEM_COLUMNS,
    ITEM_EXAMPLE,
    KIND_ZH,
    RESULT_ZH,
    case_example,
)
from gongkai.services.models import ServiceCase, ServiceItem
from gongkai.services.policies import ServiceCasePolicy, ServiceItemPolicy


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _money(value: Any) -> str:
    """Amounts as text with two decimals (JSON has no decimal type; a float would round)."""
    return "" if value is None else f"{value:.2f}"


def item_columns(fmt: str = "csv") -> list[ExportColumn]:
    columns = [ExportColumn(c.field, c.header) for c in ITEM_COLUMNS if not c.ignored]
    if fmt == "json":
        columns = [ExportColumn("id", "ID", json_only=True), *columns,
                   ExportColumn("organisation_id", "organisation_id", json_only=True)]  # fmt: skip
    return columns


def item_rows(items: QuerySet[ServiceItem], fmt: str = "csv") -> Iterator[list[Any]]:
    """Stream the catalogue rows (the queryset is iterated in chunks, never loaded whole)."""
    table = fmt != "json"
    flag = _yes if table else bool
    qs = items.select_related("organisation", "window").order_by("organisation__path", "code", "id")
    for item in qs.iterator(chunk_size=500):
        row = [
            item.organisation.code or item.organisation.name, item.code, item.name,
            KIND_ZH.get(item.kind, item.kind) if table else item.kind,
            item.legal_basis, item.conditions, item.materials, item.process,
            item.statutory_limit_days, item.promised_limit_days, flag(not item.fee_free),
            _money(item.fee_amount),
            item.fee_unit, item.fee_basis, item.window.number if item.window_id else "", item.location,
            flag(item.online), item.certificate_name, flag(item.published), flag(item.is_active),
        ]  # fmt: skip
        if not table:
            row = [item.pk, *row, item.organisation_id]
        yield row


def template_rows(columns: list[ExportColumn], example: dict[str, Any]) -> Iterator[list[Any]]:
    yield [example.get(c.key, "") for c in columns]


@register_exporter
class ServicesExporter(Exporter):
    kind = "services"
    help = "the service catalogue (事项目录), in the columns of the services import"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", type=int, help="only this implementing unit (id)")
        parser.add_argument("--all", action="store_true", help="unpublished and inactive items too")
        parser.add_argument(
            "--template", action="store_true", help="the empty import template with an example"
        )

    def columns(self, fmt: str) -> list[ExportColumn]:
        return item_columns(fmt)

    def rows(self, *, actor: Any, options: dict[str, Any], fmt: str) -> Iterator[list[Any]]:
        if options.get("template"):
            return template_rows(self.columns(fmt), ITEM_EXAMPLE)
        if actor is None:  # the command, run on the server: everything (see the import command)
            qs = ServiceItem.objects.all()
        else:
            qs = ServiceItemPolicy().visible_to(actor or AnonymousUser())
        if not options.get("all"):
            qs = qs.filter(published=True, is_active=True)
        if options.get("org"):
            qs = qs.filter(organisation_id=options["org"])
        return item_rows(qs, fmt)


# --- cases --------------------------------------------------------------------------------------


def case_columns(fmt: str = "csv") -> list[ExportColumn]:
    # The case number too: the import ignores it (numbers are assigned), the reader wants it.
    columns = [ExportColumn(c.field, c.header) for c in CASE_COLUMNS]
    if fmt == "json":
        columns = [*columns, ExportColumn("status", "status", json_only=True),
                   ExportColumn("due_date", "due_date", json_only=True),
                   ExportColumn("on_time", "on_time", json_only=True)]  # fmt: skip
    return columns


def case_rows(cases: QuerySet[ServiceCase], fmt: str = "csv") -> Iterator[list[Any]]:
    table = fmt != "json"
    flag = _yes if table else bool
    qs = cases.select_related("item", "organisation", "centre", "window", "clock").order_by(
        "received_on", "id"
    )
    for case in qs.iterator(chunk_size=1000):
        accepted = case.accepted_on is not None
        row = [
            case.case_number, case.item.code, case.organisation.code or case.organisation.name,
            CHANNEL_ZH.get(case.channel, case.channel) if table else case.channel,
            case.centre.code if case.centre_id else "", case.window.number if case.window_id else "",
            APPLICANT_ZH.get(case.applicant_kind, case.applicant_kind) if table else case.applicant_kind,
            case.applicant_name, case.id_number, case.phone, case.received_on, flag(accepted),
            case.rejection_reason, case.completed_on,
            (RESULT_ZH.get(case.result, case.result) if table else case.result) if case.result else "",
            case.result_reason, case.certificate_number,
            _money(case.fee_quantity), _money(case.fee_amount), case.fee_receipt,
        ]  # fmt: skip
        if not table:
            row = [*row, case.status, case.clock.due_date if case.clock_id else None, case.on_time]
        yield row


@register_exporter
class CasesExporter(Exporter):
    kind = "cases"
    help = "service cases (办件), in the columns of the cases import"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", type=int, help="only this implementing unit (id)")
        parser.add_argument("--year", type=int, help="only cases received in this year")
        parser.add_argument(
            "--template", action="store_true", help="the empty import template with an example"
        )

    def columns(self, fmt: str) -> list[ExportColumn]:
        return case_columns(fmt)

    def rows(self, *, actor: Any, options: dict[str, Any], fmt: str) -> Iterator[list[Any]]:
        if options.get("template"):
            return template_rows(self.columns(fmt), case_example())
        qs = ServiceCase.objects.all() if actor is None else ServiceCasePolicy().visible_to(actor)
        if options.get("org"):
            qs = qs.filter(organisation_id=options["org"])
        if options.get("year"):
            qs = qs.filter(received_on__year=options["year"])
        return case_rows(qs, fmt)
