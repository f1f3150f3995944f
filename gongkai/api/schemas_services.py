"""Schemas of /api/v1/services (the service catalogue and cases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from gongkai.api.schemas import Id, Number


class ServiceItemListOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    code: str
    name: str
    kind: str
    statutory_limit_days: int
    promised_limit_days: int
    fee_free: bool
    fee_amount: Decimal | None
    fee_unit: str
    online: bool
    published: bool
    is_active: bool


class ServiceItemOut(ServiceItemListOut):
    legal_basis: str
    conditions: str
    materials: list[str]
    process: list[str]
    fee_basis: str
    window_id: int | None
    window: str | None
    location: str
    issues_certificate: bool
    certificate_name: str


class ServiceItemPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ServiceItemListOut]


class ServiceItemIn(Schema):
    organisation_id: Id
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=200)
    kind: str = Field(..., max_length=16, description="licensing, non_licensing, public_service or other.")
    legal_basis: str = Field(..., max_length=5000)
    conditions: str = Field("", max_length=5000)
    materials: str = Field("", max_length=5000, description="One material per line.")
    process: str = Field("", max_length=5000, description="One step per line.")
    statutory_limit_days: Number = Field(..., description="Working days.")
    promised_limit_days: Number = Field(..., description="Working days; 0 means on the spot (即办).")
    fee_free: bool = True
    fee_amount: Decimal | None = Field(None, description="The fee standard in yuan (charged items).")
    fee_unit: str = Field("", max_length=20)
    fee_basis: str = Field("", max_length=5000)
    window_id: Id | None = None
    location: str = Field("", max_length=200)
    online: bool = False
    issues_certificate: bool = False
    certificate_name: str = Field("", max_length=100)
    is_active: bool = True
    published: bool = False


class ServiceItemPatch(Schema):
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    kind: str | None = Field(None, max_length=16)
    legal_basis: str | None = Field(None, max_length=5000)
    conditions: str | None = Field(None, max_length=5000)
    materials: str | None = Field(None, max_length=5000)
    process: str | None = Field(None, max_length=5000)
    statutory_limit_days: Number | None = None
    promised_limit_days: Number | None = None
    fee_free: bool | None = None
    fee_amount: Decimal | None = None
    fee_unit: str | None = Field(None, max_length=20)
    fee_basis: str | None = Field(None, max_length=5000)
    window_id: Id | None = None
    location: str | None = Field(None, max_length=200)
    online: bool | None = None
    issues_certificate: bool | None = None
    certificate_name: str | None = Field(None, max_length=100)
    is_active: bool | None = None
    published: bool | None = None


class ServiceCaseListOut(Schema):
    id: int
    case_number: str
    item_id: int
    item: str
    organisation_id: int
    organisation: str
    channel: str
    centre_id: int | None
    centre: str | None
    window_id: int | None
    window: str | None
    status: str
    applicant_kind: str
    applicant_name: str
    received_on: date
    accepted_on: date | None
    completed_on: date | None
    result: str
    due_date: date | None
    overdue: bool
    on_time: bool | None
    fee_amount: Decimal | None


class ServiceCaseOut(ServiceCaseListOut):
    id_number: str
    phone: str
    email: str
    address: str
    description: str
    rejection_reason: str
    result_reason: str
    certificate_number: str
    fee_quantity: Decimal | None
    fee_receipt: str
    fee_collected_on: date | None
    agency: bool
    limit_days: int | None
    used_days: int | None


class ServiceCaseCreatedOut(ServiceCaseOut):
    tracking_code: str


class ServiceCasePage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ServiceCaseListOut]


class ReceiveIn(Schema):
    item_id: Id
    window_id: Id
    applicant_kind: str = Field("person", max_length=12, description="person or organisation.")
    applicant_name: str = Field(..., max_length=200)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    on: date | None = Field(None, description="The day of receipt (day 0 of the clock); today if not given.")


class CompleteIn(Schema):
    result: str = Field(..., max_length=10, description="approved or denied.")
    reason: str = Field("", max_length=2000, description="Required when not approved.")
    certificate_number: str = Field("", max_length=60)
    on: date | None = None


class ServiceFeeIn(Schema):
    amount: Decimal = Field(..., description="Must equal the fee standard x the quantity.")
    receipt: str = Field(..., max_length=40)
    quantity: Decimal = Decimal(1)
    on: date | None = None


class DayIn(Schema):
    on: date | None = None


class RejectIn(Schema):
    reason: str = Field(..., max_length=2000)
    on: date | None = None
