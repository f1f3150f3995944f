from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import Field, Schema

# What the databases' columns hold: ids are 64-bit (BigAutoField), counts, days and years 32-bit
# (PostgreSQL's integer). A larger number is malformed input (422) rather than reaching a query,
# where SQLite raises OverflowError and PostgreSQL an out-of-range error.
MAX_ID = 2**63 - 1
MAX_NUMBER = 2**31 - 1
Id = Annotated[int, Field(ge=-MAX_ID - 1, le=MAX_ID)]
Number = Annotated[int, Field(ge=-MAX_NUMBER - 1, le=MAX_NUMBER)]
ID_RANGE = {"ge": -MAX_ID - 1, "le": MAX_ID}  # for Query(...): the bounds of Id


class InputIssue(Schema):
    """One problem with the request's shape (422), as the request validation reports it."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class Message(Schema):
    message: str
    # 400: messages per field (or a list); 422: the validation's issues with their location.
    errors: dict[str, list[str]] | list[str] | list[InputIssue] | None = None


class OrganisationOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    name: str
    short_name: str
    code: str
    depth: int
    is_active: bool
    self_publish: bool
    office_name: str
    address: str
    postcode: str
    office_hours: str
    phone: str
    fax: str
    email: str
    website: str


class OrganisationIn(Schema):
    parent_id: Id | None = None
    kind: str
    name: str
    short_name: str = ""
    code: str
    sort_order: Number = 0
    self_publish: bool = False
    office_name: str = ""
    address: str = ""
    postcode: str = ""
    office_hours: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    website: str = ""


class OrganisationPatch(Schema):
    kind: str | None = None
    name: str | None = None
    short_name: str | None = None
    sort_order: Number | None = None
    self_publish: bool | None = None
    office_name: str | None = None
    address: str | None = None
    postcode: str | None = None
    office_hours: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    website: str | None = None
    reason: str = ""


class OrganisationPage(Schema):
    count: int
    results: list[OrganisationOut]


class WorkdayAddOut(Schema):
    start: date
    days: int
    due: date
    provisional: bool
    provisional_years: list[int]
    explanation_zh: str
    explanation_en: str


class CalendarDayOut(Schema):
    date: date
    kind: str
    name: str


class CalendarYearOut(Schema):
    year: int
    official: bool
    source: str
    notice: str
    days: list[CalendarDayOut]


class IsWorkdayOut(Schema):
    date: date
    workday: bool
    provisional: bool


class MeOut(Schema):
    username: str
    display_name: str
    kind: str
    roles: list[dict[str, str | int | bool]]
    token_scope: str | None
