"""Request and response schemas of /api/v1/applications.

Choices (status, channel, outcome, reply type, fee mode …) are plain strings here, checked by
the actions (or the endpoint), so a wrong value is a 400 naming the field rather than a schema
error. Lengths and number ranges that the database would otherwise refuse are checked by the
schema (422).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from gongkai.api.schemas import Id, Number

# --- reading ----------------------------------------------------------------------------------


class ApplicationListOut(Schema):
    id: int
    case_number: str
    organisation_id: int
    organisation: str
    rule_set: str
    channel: str
    status: str
    applicant_type: str
    applicant_name: str
    info_title: str
    submitted_at: datetime
    received_on: date | None
    due_date: date | None
    provisional: bool
    paused: bool
    later_date: date | None
    overdue: bool
    assigned_unit_id: int | None
    assignee: str | None
    outcome: str
    reply_type: str
    replied_on: date | None
    on_time: bool | None


class ApplicationPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ApplicationListOut]


class PauseOut(Schema):
    start: date
    end: date | None
    reason: str
    note: str


class ExtensionOut(Schema):
    days: int
    approved_by: str | None
    approved_on: date
    reason: str


class ClockOut(Schema):
    start_date: date
    original_start_date: date
    limit_days: int
    extension_days: int
    extension_limit_days: int | None
    status: str
    due_date: date | None
    provisional: bool
    closed_on: date | None
    on_time: bool | None
    explanation_zh: str
    explanation_en: str
    pauses: list[PauseOut]
    extensions: list[ExtensionOut]


class CorrectionOut(Schema):
    id: int
    requested_on: date
    items: str
    period_days: int
    due_on: date
    corrected_on: date | None
    corrected_text: str
    lapsed: bool


class ConsultationOut(Schema):
    id: int
    kind: str
    party: str
    sent_on: date
    reply_due: date
    pauses_clock: bool
    answered_on: date | None
    answer: str
    note: str


class FeeOut(Schema):
    id: int
    mode: str
    pages: int | None
    position_in_month: int | None
    search_cost: Decimal
    copy_cost: Decimal
    postage: Decimal
    amount: Decimal
    basis: str
    payment_instructions: str
    issued_on: date
    pay_by: date
    status: str
    paid_on: date | None
    receipt_number: str
    waiver_reason: str


class LetterOut(Schema):
    """A letter's metadata (its text is read in the back office or on the tracking page)."""

    id: int
    kind: str
    number: str
    issued_on: date
    title: str


class DocumentOut(Schema):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class ApplicationDetailOut(ApplicationListOut):
    receipt_note: str
    signed_for_on: date | None
    confirmed_on: date | None
    citizen_id: int | None
    id_type: str
    id_number: str
    legal_representative: str
    contact_person: str
    phone: str
    email: str
    address: str
    postcode: str
    info_number: str
    description: str
    purpose: str
    info_form: str
    delivery: str
    correction_notice_by: date | None  # the last day for a 补正 notice (2019 Art. 30)
    assigned_note: str
    later_reason: str
    draft_outcome: str
    draft_reply_type: str
    draft_legal_basis: str
    draft_text: str
    drafted_by: str | None
    drafted_at: datetime | None
    legal_basis: str
    reply_text: str
    replied_by: str | None
    delivered_on: date | None
    delivery_note: str
    clock: ClockOut | None
    corrections: list[CorrectionOut]
    consultations: list[ConsultationOut]
    fees: list[FeeOut]
    letters: list[LetterOut]
    documents: list[DocumentOut]


class ApplicationCreatedOut(ApplicationDetailOut):
    tracking_code: str  # shown once: only its hash is stored


# --- writing ----------------------------------------------------------------------------------


class ApplicationIn(Schema):
    """An application handed in, posted, faxed or made orally, entered by the office."""

    organisation_id: Id
    channel: str
    submitted_on: date
    signed_for_on: date | None = None  # registered mail: the day it was signed for
    confirmed_on: date | None = None  # ordinary mail, fax, e-mail: the day receipt was confirmed
    receipt_note: str = Field("", max_length=300)
    applicant_type: str = Field(..., max_length=12)
    applicant_name: str = Field(..., max_length=200)
    id_type: str = Field("", max_length=12)
    id_number: str = Field("", max_length=40)
    legal_representative: str = Field("", max_length=100)
    contact_person: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    postcode: str = Field("", max_length=6)
    info_title: str = Field(..., max_length=300)
    info_number: str = Field("", max_length=120)
    description: str = Field("", max_length=10000)
    purpose: str = Field("", max_length=10000)
    info_form: str = Field(..., max_length=12)
    delivery: str = Field(..., max_length=12)


class OnIn(Schema):
    on: date | None = None  # today when not given


class ConfirmIn(OnIn):
    note: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=5000)


class ForwardIn(ReasonIn):
    to: Id  # the organisation's id


class CorrectionIn(OnIn):
    items: str = Field(..., max_length=5000)
    period_days: Number  # working days, 1 to 60


class CorrectionReceivedIn(OnIn):
    text: str = Field("", max_length=10000)
    # Corrected applicant fields, e.g. {"info_title": "…", "id_number": "…"}.
    fields: dict[str, str] = {}


class ConsultationIn(OnIn):
    kind: str = Field(..., max_length=20)
    party: str = Field(..., max_length=200)


class ConsultationAnswerIn(OnIn):
    answer: str = Field(..., max_length=20)
    note: str = Field("", max_length=5000)


class ExtendIn(OnIn):
    days: Number  # working days; at most 15 (2008 text) or 20 (2019 text) in total
    reason: str = Field(..., max_length=300)
    approved_by: str | None = Field(None, max_length=150)  # user name; the caller when not given


class LaterDateIn(OnIn):
    later_date: date
    reason: str = Field(..., max_length=5000)


class AssignIn(Schema):
    unit: Id  # the organisation's id
    assignee: str | None = Field(None, max_length=150)  # user name
    note: str = Field("", max_length=5000)


class DraftIn(Schema):
    outcome: str = Field(..., max_length=20)
    reply_type: str = Field(..., max_length=30)
    legal_basis: str = Field("", max_length=5000)
    text: str = Field(..., max_length=50000)


class ReplyIn(DraftIn, OnIn):
    pass


class FeeNoticeIn(OnIn):
    mode: str = Field(..., max_length=20)
    instructions: str = Field(..., max_length=5000)
    pages: int | None = Field(None, ge=0, le=1_000_000)
    search_cost: Decimal = Field(Decimal(0), ge=0, le=1_000_000, max_digits=10, decimal_places=2)
    copy_cost: Decimal = Field(Decimal(0), ge=0, le=1_000_000, max_digits=10, decimal_places=2)
    postage: Decimal = Field(Decimal(0), ge=0, le=1_000_000, max_digits=10, decimal_places=2)


class PaymentIn(Schema):
    on: date
    receipt_number: str = Field(..., max_length=60)


class WaiverIn(OnIn):
    reason: str = Field(..., max_length=5000)


class WithdrawIn(OnIn):
    reason: str = Field("", max_length=5000)


class DeliveryIn(Schema):
    on: date
    note: str = Field(..., max_length=300)
