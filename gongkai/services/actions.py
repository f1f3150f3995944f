"""Actions of the services domain (政务服务); see docs/architecture.md for the convention.

The code lives in three modules so each stays readable: ``actions_catalogue`` (windows, items,
slots, appointments), ``actions_cases`` (cases from receipt to result) and ``actions_base``
(case numbers, tracking codes, notices, uploads). Callers import from here.
"""

from gongkai.services.actions_base import check_code, hash_code, next_case_number, serves, today
from gongkai.services.actions_cases import (
    accept_case,
    add_step,
    collect_fee,
    complete_case,
    find_case,
    receive_case,
    reject_case,
    request_materials,
    set_agent,
    submit_case_online,
    supply_materials,
    withdraw_case,
)
from gongkai.services.actions_catalogue import (
    book_appointment,
    cancel_appointment,
    open_slots,
    save_item,
    save_window,
    set_item_published,
)

__all__ = [
    "accept_case",
    "add_step",
    "book_appointment",
    "cancel_appointment",
    "check_code",
    "collect_fee",
    "complete_case",
    "find_case",
    "hash_code",
    "next_case_number",
    "open_slots",
    "receive_case",
    "reject_case",
    "request_materials",
    "save_item",
    "save_window",
    "serves",
    "set_agent",
    "set_item_published",
    "submit_case_online",
    "supply_materials",
    "today",
    "withdraw_case",
]
