"""Schemas of /api/v1/reports (annual reports) and /api/v1/records (the records behind them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from gongkai.api.schemas import Id, Number

# --- the report as data (gongkai.reports.exports.as_data) -------------------------------------------


class ReportOrganisationOut(Schema):
    code: str | None
    name: str


class ReportSectionOut(Schema):
    heading: str
    text: str


class ReportCellOut(Schema):
    key: str = Field(..., description="table/row/column, e.g. t3/new/total.")
    table: str
    row: str
    column: str
    table_label: str
    row_label: str
    column_label: str
    value: Any = Field(
        None, description="An integer, a decimal as a string, or null when the records cannot give it."
    )
    previous: Any = Field(None, description="The same figure the year before.")
    change: Any = Field(None, description="This year minus the year before.")
    definition: str | None
    sources: list[str]


class ReportDocumentOut(Schema):
    """The same JSON as the report's JSON download."""

    organisation: ReportOrganisationOut
    year: int
    title: str
    template: str
    rollup: bool
    status: str
    version: int | None
    correction_reason: str | None
    published_at: str | None
    computed_at: str | None
    sections: dict[str, ReportSectionOut]
    cells: list[ReportCellOut]
    checks: list[dict[str, Any]]


# --- published reports (public) --------------------------------------------------------------------


class PublishedReportOut(Schema):
    organisation_code: str
    organisation: str
    year: int
    version: int
    corrected: bool
    published_at: datetime


class PublishedReportPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[PublishedReportOut]


# --- working copies (staff) ------------------------------------------------------------------------


class DraftListOut(Schema):
    id: int
    organisation_id: int
    organisation_code: str
    organisation: str
    year: int
    template: str
    rollup: bool
    status: str
    violations: int = Field(..., description="How many checks (R1–R6) fail.")
    latest_version: int | None = Field(..., description="The number of the latest published version.")
    computed_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None


class DraftOut(DraftListOut):
    document: ReportDocumentOut


class DraftPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[DraftListOut]


class GenerateIn(Schema):
    organisation_code: str = Field(..., max_length=18, description="The organisation's code.")
    year: Number
    template: str | None = Field(
        None, max_length=4, description="2021, 2019 or 2008; by the year if not given."
    )
    rollup: bool = Field(True, description="Count the units below the organisation too.")
    redraft: bool = Field(False, description="Draft the narrative again (the office's free text stays).")


class NarrativeIn(Schema):
    sections: dict[str, str] = Field(..., description="Section key → text; other sections stay as they are.")


class ReportReasonIn(Schema):
    reason: str = Field("", max_length=2000)


# --- records: disputes -----------------------------------------------------------------------------


class DisputeOut(Schema):
    id: int
    organisation_id: int
    organisation_code: str
    organisation: str
    kind: str
    reference: str
    subject: str
    body: str
    filed_on: date
    concluded_on: date | None
    result: str
    application_id: int | None
    review_case_id: int | None
    note: str


class DisputePage(Schema):
    count: int
    page: int
    per_page: int
    results: list[DisputeOut]


class DisputeIn(Schema):
    organisation_code: str = Field(..., max_length=18)
    kind: str = Field(
        ..., max_length=24, description="review, litigation_direct, litigation_after_review or complaint."
    )
    reference: str = Field(..., max_length=100)
    subject: str = Field(..., max_length=300)
    filed_on: date
    body: str = Field("", max_length=200, description="The review body or court.")
    application_id: Id | None = Field(None, description="The application in dispute.")
    review_case_id: Id | None = Field(None, description="For a lawsuit after review: the review case.")
    note: str = Field("", max_length=2000)


class ConcludeIn(Schema):
    result: str = Field(..., max_length=12, description="maintained, corrected or other.")
    concluded_on: date
    note: str = Field("", max_length=2000)


# --- records: figures of a year --------------------------------------------------------------------


class StaffFigureOut(Schema):
    full_time: int
    part_time: int
    source: str
    note: str
    entered_at: datetime


class SpendingFigureOut(Schema):
    amount: Decimal
    purpose: str
    source: str
    note: str
    entered_at: datetime


class DecisionCountOut(Schema):
    kind: str
    count: int
    source: str
    note: str
    entered_at: datetime


class YearFiguresOut(Schema):
    organisation_code: str
    organisation: str
    year: int
    staff: StaffFigureOut | None
    spending: SpendingFigureOut | None
    decisions: list[DecisionCountOut]


class StaffFigureIn(Schema):
    full_time: Number
    part_time: Number
    note: str = Field("", max_length=300)


class SpendingIn(Schema):
    amount: Decimal = Field(..., description="Yuan, at most two decimals.")
    purpose: str = Field("", max_length=200)
    note: str = Field("", max_length=300)


class DecisionCountIn(Schema):
    count: Number
    note: str = Field("", max_length=300)


# --- records: reading rooms ------------------------------------------------------------------------


class ReadingRoomOut(Schema):
    id: int
    organisation_id: int
    organisation_code: str
    organisation: str
    name: str
    address: str
    opening_hours: str
    phone: str
    is_active: bool


class ReadingRoomPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ReadingRoomOut]


class ReadingRoomIn(Schema):
    organisation_code: str = Field(..., max_length=18)
    name: str = Field(..., max_length=200)
    address: str = Field("", max_length=300)
    opening_hours: str = Field("", max_length=200)
    phone: str = Field("", max_length=60)
    is_active: bool = True


class VisitOut(Schema):
    id: int
    room_id: int
    day: date
    visitors: int
    purpose: str


class VisitPage(Schema):
    count: int
    page: int
    per_page: int
    visitors: int = Field(..., description="The visitors of every visit matching the filters.")
    results: list[VisitOut]


class VisitIn(Schema):
    day: date
    visitors: Number
    purpose: str = Field("", max_length=300)
