from __future__ import annotations

from datetime import date

from ninja import Schema


class Message(Schema):
    message: str
    errors: dict[str, list[str]] | list[str] | None = None


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
    parent_id: int | None = None
    kind: str
    name: str
    short_name: str = ""
    code: str
    sort_order: int = 0
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
    sort_order: int | None = None
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
