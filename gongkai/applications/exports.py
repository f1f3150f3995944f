"""Exporting applications for disclosure (the ``applications`` export kind), without personal data.

``gongkai export applications [--format csv|xlsx|json] [--org ID --subunits] [--from --to]``
writes one row per registered application: the case, its dates, its clock and its result, with
the columns of the import format where they exist. A person's name is masked (李明 → 李*), an
organisation's is kept; identity documents, telephone numbers, e-mail and postal addresses,
contact persons, descriptions, purposes and reply texts (which may quote them) are left out.
Tables show the choices in Chinese; JSON gives the codes and the id.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from gongkai.applications.imports_parsing import HEADERS, mask_name
from gongkai.applications.models import Application, Correction, FeeNotice, FeeStatus, Status
from gongkai.applications.policies import ApplicationPolicy
from gongkai.disclosure.exports import ExportColumn, Exporter, register_exporter
from gongkai.orgs.models import Organisation

FIELDS = [
    "case_number", "organisation", "organisation_code", "rule_set", "channel", "status", "submitted_on",
    "received_on", "applicant_type", "applicant_name", "info_title", "info_number", "info_form", "delivery",
    "correction_requested_on", "corrected_on", "extension_days", "due_date", "fee_amount", "paid_on", "outcome",
    "reply_type", "legal_basis", "replied_on", "on_time",
]  # fmt: skip
EXTRA_HEADERS = {"rule_set": "适用条例", "status": "状态", "due_date": "答复期限", "on_time": "是否按期"}
CHOICES = (
    "rule_set",
    "channel",
    "status",
    "applicant_type",
    "info_form",
    "delivery",
    "outcome",
    "reply_type",
)


def application_columns(fmt: str = "csv") -> list[ExportColumn]:
    columns = [ExportColumn(f, HEADERS.get(f) or EXTRA_HEADERS[f]) for f in FIELDS]
    if fmt == "json":
        columns = [ExportColumn("id", "ID", json_only=True), *columns]
    return columns


def exported_applications(
    actor: Any, *, organisation_id: int | None = None, include_subunits: bool = False,
    date_from: date | None = None, date_to: date | None = None, status: str | None = None,
) -> QuerySet[Application]:  # fmt: skip
    """Registered applications (``actor`` None: all of them; else those the actor's roles reach)."""
    qs = Application.objects.exclude(status=Status.DISCARDED)
    if actor is not None:
        qs = ApplicationPolicy().filter(actor, "view_office", qs)
    if organisation_id is not None:
        if include_subunits:
            path = Organisation.objects.filter(pk=organisation_id).values_list("path", flat=True).first()
            qs = qs.filter(organisation__path__startswith=path) if path else qs.none()
        else:
            qs = qs.filter(organisation_id=organisation_id)
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("received_on", "id")


def application_rows(
    apps: QuerySet[Application], fmt: str = "csv", chunk_size: int = 500
) -> Iterator[list[Any]]:
    table = fmt != "json"
    qs = apps.select_related("organisation", "clock").prefetch_related(
        Prefetch("corrections", queryset=Correction.objects.order_by("requested_on", "id")),
        Prefetch("fees", queryset=FeeNotice.objects.order_by("issued_on", "id")),
        "clock__extensions",
    )
    with translation.override("zh-hans"):
        for app in qs.iterator(chunk_size=chunk_size):
            correction = next(iter(app.corrections.all()), None)
            fee = next((f for f in app.fees.all() if f.status != FeeStatus.LAPSED), None) or next(
                iter(app.fees.all()), None
            )
            values = {
                "case_number": app.case_number,
                "organisation": app.organisation.name,
                "organisation_code": app.organisation.code,
                "submitted_on": app.submitted_at.date() if app.submitted_at else None,
                "received_on": app.received_on,
                "applicant_name": mask_name(app.applicant_name, app.applicant_type),
                "info_title": app.info_title,
                "info_number": app.info_number,
                "correction_requested_on": correction.requested_on if correction else None,
                "corrected_on": correction.corrected_on if correction else None,
                "extension_days": sum(e.days for e in app.clock.extensions.all()) if app.clock_id else 0,
                "due_date": app.clock.due_date if app.clock_id else None,
                "fee_amount": fee.amount if fee else None,
                "paid_on": fee.paid_on if fee else None,
                "legal_basis": app.legal_basis,
                "replied_on": app.replied_on,
                "on_time": app.on_time,
            }
            for name in CHOICES:
                code = getattr(app, name)
                values[name] = str(getattr(app, f"get_{name}_display")()) if table and code else code
            if table:
                values["on_time"] = {True: "是", False: "否"}.get(app.on_time, "")
                values["fee_amount"] = f"{fee.amount:.2f}" if fee else ""
            else:
                values["fee_amount"] = str(fee.amount) if fee else None
            row = [values[f] for f in FIELDS]
            yield row if table else [app.pk, *row]


@register_exporter
class ApplicationsExporter(Exporter):
    kind = "applications"
    help = "applications for disclosure (依申请公开), without personal data"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", type=int, help="only this agency (id)")
        parser.add_argument("--subunits", action="store_true", help="with --org: the units below it too")
        parser.add_argument(
            "--from", dest="date_from", type=date.fromisoformat, help="received on or after (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--to", dest="date_to", type=date.fromisoformat, help="received on or before (YYYY-MM-DD)"
        )
        parser.add_argument("--status", choices=[s for s in Status.values if s != Status.DISCARDED])

    def columns(self, fmt: str) -> list[ExportColumn]:
        return application_columns(fmt)

    def rows(self, *, actor: Any, options: dict[str, Any], fmt: str) -> Iterator[list[Any]]:
        qs = exported_applications(
            actor, organisation_id=options.get("org"), include_subunits=bool(options.get("subunits")),
            date_from=options.get("date_from"), date_to=options.get("date_to"), status=options.get("status"),
        )  # fmt: skip
        return application_rows(qs, fmt)
