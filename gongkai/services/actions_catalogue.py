"""Actions on the catalogue side: windows, service items, appointment slots and bookings."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize, changes, full_clean, snapshot
from gongkai.core.policies import policy_for
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.portal import cache as portal_cache
from gongkai.services.actions_base import check_code, hash_code, new_code, require_text, serves, today
from gongkai.services.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    ServiceItem,
    ServiceWindow,
)
from gongkai.workdays.calendar import get_calendar

CENTRE_KINDS = (OrgKind.CENTRE, OrgKind.TOWNSHIP)
MAX_SLOT_SPAN_DAYS = 366
ITEM_FIELDS = frozenset(
    f.name
    for f in ServiceItem._meta.concrete_fields
    if f.name not in ("id", "organisation", "created_at", "updated_at")
)


# --- windows ---------------------------------------------------------------------------------------


@action
def save_window(
    *,
    actor: Any,
    centre: Organisation,
    number: str,
    name: str,
    units: Any = (),
    is_active: bool = True,
    window: ServiceWindow | None = None,
) -> ServiceWindow:
    """Create (``window`` None) or update a window of a service centre or township centre."""
    if centre is None or centre.kind not in CENTRE_KINDS:
        raise ActionError({"centre": _("Windows belong to a service centre or a township centre.")})
    if window is not None:
        authorize(actor, "change", window)
        window = ServiceWindow.objects.select_for_update().get(pk=window.pk)
        if window.centre_id != centre.pk:
            raise ActionError({"centre": _("A window cannot move to another centre.")})
        before = {**snapshot(window), "units": sorted(window.units.values_list("pk", flat=True))}
    else:
        window = ServiceWindow(centre=centre)
        authorize(actor, "change", window)
        before = {}
    window.number = require_text(number, "number", _("Give the window number."))
    window.name = require_text(name, "name", _("Give the window's name."))
    window.is_active = bool(is_active)
    unit_list = list(units or ())
    full_clean(window)
    window.save()
    window.units.set(unit_list)
    after = {**snapshot(window), "units": sorted(u.pk for u in unit_list)}
    b, a = changes(before, after)
    record(
        actor=actor, verb="services.save_window", obj=window, before=b or None, after=a, organisation=centre
    )
    return window


# --- service items ---------------------------------------------------------------------------------


def _limit(fields: dict[str, Any], name: str, errors: dict[str, str]) -> None:
    if name not in fields:
        return
    value = fields[name]
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = _("The time limit must be a whole number of working days.")
    elif value < 0:
        errors[name] = _("The time limit cannot be negative.")
    elif value > 32767:
        errors[name] = _("The time limit is too long.")
    else:
        fields[name] = value


def _check_item_fields(fields: dict[str, Any], current: ServiceItem | None) -> None:
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise ActionError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    errors: dict[str, str] = {}
    _limit(fields, "statutory_limit_days", errors)
    _limit(fields, "promised_limit_days", errors)
    if "fee_amount" in fields and fields["fee_amount"] not in (None, ""):
        try:
            amount = Decimal(str(fields["fee_amount"]))
        except InvalidOperation:
            errors["fee_amount"] = _("Enter the fee standard in yuan.")
        else:
            if amount < 0 or not amount.is_finite():
                errors["fee_amount"] = _("The fee standard cannot be negative.")
            fields["fee_amount"] = amount
    elif "fee_amount" in fields:
        fields["fee_amount"] = None
    if errors:
        raise ActionError(errors)

    def value(name: str) -> Any:
        return fields[name] if name in fields else getattr(current, name, None)

    statutory, promised = value("statutory_limit_days"), value("promised_limit_days")
    if statutory is None:
        errors["statutory_limit_days"] = _("Give the statutory time limit.")
    if promised is None:
        errors["promised_limit_days"] = _("Give the promised time limit.")
    if statutory is not None and promised is not None and promised > statutory:
        errors["promised_limit_days"] = _("The promised time limit cannot be longer than the statutory one.")
    fee_free = value("fee_free")
    if fee_free is False and value("fee_amount") is None:
        errors["fee_amount"] = _("A charged item needs its fee standard.")
    if value("issues_certificate") and not (value("certificate_name") or "").strip():
        errors["certificate_name"] = _("Name the certificate the item issues.")
    if errors:
        raise ActionError(errors)


@action
def save_item(
    *, actor: Any, organisation: Organisation, item: ServiceItem | None = None, **fields: Any
) -> ServiceItem:
    """Create (``item`` None) or update a service item of ``organisation``."""
    if item is not None:
        authorize(actor, "change", item)
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if organisation is not None and item.organisation_id != organisation.pk:
            raise ActionError({"organisation": _("An item cannot move to another unit.")})
        before = snapshot(item)
    else:
        if organisation is None or not organisation.is_active:
            raise ActionError({"organisation": _("Choose the implementing unit.")})
        item = ServiceItem(organisation=organisation)
        authorize(actor, "change", item)
        before = {}
    _check_item_fields(fields, item if item.pk else None)
    window = fields.get("window")
    if window is not None and not isinstance(window, ServiceWindow):
        raise ActionError({"window": _("Choose a window.")})
    for name, value in fields.items():
        setattr(item, name, value)
    if item.fee_free:
        # A free item keeps no fee standard, so reports never count a fee for it.
        item.fee_amount = None
    full_clean(item)
    item.save()
    b, a = changes(before, snapshot(item))
    record(actor=actor, verb="services.save_item", obj=item, before=b or None, after=a)
    if item.published or before.get("published"):
        after_commit(portal_cache.bump)  # the service guide's cached pages show the item
    return item


@action
def set_item_published(*, actor: Any, item: ServiceItem, published: bool) -> ServiceItem:
    authorize(actor, "publish", item)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    published = bool(published)
    if published and not item.is_active:
        raise ActionError({"published": _("An inactive item cannot be published.")})
    if item.published == published:
        return item
    item.published = published
    item.save(update_fields=["published", "updated_at"])
    record(actor=actor, verb="services.set_item_published", obj=item,
           before={"published": not published}, after={"published": published})  # fmt: skip
    after_commit(portal_cache.bump)  # on or off the cached guide pages at once
    return item


# --- appointment slots and bookings ------------------------------------------------------------------


@action
def open_slots(
    *,
    actor: Any,
    window: ServiceWindow,
    first_day: dt.date,
    last_day: dt.date,
    times: Any,
    capacity: int,
) -> int:
    """Open bookable slots on the calendar's working days; existing slots are kept. Returns how many."""
    authorize(actor, "manage_slots", window)
    errors: dict[str, str] = {}
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= 1000:
        errors["capacity"] = _("The capacity must be a whole number from 1 to 1000.")
    if first_day < today():
        errors["first_day"] = _("Slots cannot be opened in the past.")
    if last_day < first_day:
        errors["last_day"] = _("The last day cannot be before the first.")
    elif (last_day - first_day).days > MAX_SLOT_SPAN_DAYS:
        errors["last_day"] = _("Open slots for at most a year at a time.")
    times = list(times or ())
    if not times:
        errors["times"] = _("Give at least one time slot.")
    for pair in times:
        start, end = pair if isinstance(pair, tuple | list) and len(pair) == 2 else (None, None)
        if not (isinstance(start, dt.time) and isinstance(end, dt.time)) or start >= end:
            errors["times"] = _("Each time slot must start before it ends.")
    if errors:
        raise ActionError(errors)
    cal = get_calendar()
    existing = set(
        AppointmentSlot.objects.filter(window=window, date__range=(first_day, last_day)).values_list(
            "date", "start"
        )
    )
    new = []
    day = first_day
    while day <= last_day:
        if cal.is_workday(day):
            for start, end in times:
                if (day, start) not in existing:
                    existing.add((day, start))
                    new.append(
                        AppointmentSlot(window=window, date=day, start=start, end=end, capacity=capacity)
                    )
        day += dt.timedelta(days=1)
    AppointmentSlot.objects.bulk_create(new)
    if new:
        record(actor=actor, verb="services.open_slots", obj=window, organisation=window.centre_id,
               after={"first_day": first_day, "last_day": last_day, "capacity": capacity, "created": len(new)})  # fmt: skip
    return len(new)


def now() -> dt.datetime:
    """The local time (a function, so tests can move the clock)."""
    return timezone.localtime()


def _slot_past(slot: AppointmentSlot) -> bool:
    now_ = now()
    return slot.date < now_.date() or (slot.date == now_.date() and slot.start <= now_.time())


def _new_reference(slot: AppointmentSlot) -> str:
    return f"YY{slot.date:%y%m%d}{secrets.randbelow(10**8):08d}"


@action
def book_appointment(
    *, actor: Any, slot: AppointmentSlot, item: ServiceItem, name: str, phone: str, user: Any = None
) -> tuple[Appointment, str]:
    """Book a place; returns the appointment and its one-time code (shown once, only its hash kept)."""
    errors: dict[str, str] = {}
    if not (item.published and item.is_active):
        errors["item"] = _("This service cannot be booked.")
    elif not serves(slot.window, item):
        errors["item"] = _("This window does not handle this service.")
    if _slot_past(slot):
        errors["slot"] = _("This time has passed; choose a later one.")
    if not (name or "").strip():
        errors["name"] = _("Give your name.")
    if not (phone or "").strip():
        errors["phone"] = _("Give your mobile phone number.")
    if errors:
        raise ActionError(errors)
    # The conditional UPDATE is the booking: two people can never take the last place together.
    if not AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    ):
        raise ActionError({"slot": _("This time is fully booked; choose another one.")})
    code = new_code()
    owner = user if getattr(user, "is_authenticated", False) and getattr(user, "is_citizen", False) else None
    for _attempt in range(5):
        reference = _new_reference(slot)
        appointment = Appointment(reference=reference, tracking_hash=hash_code(reference, code), slot=slot,
                                  item=item, user=owner, name=name.strip(), phone=phone.strip())  # fmt: skip
        try:
            with transaction.atomic():
                appointment.save()
            break
        except IntegrityError:  # the random reference was taken: draw another
            continue
    else:  # pragma: no cover - five collisions in a 10^8 space
        raise ActionError(_("Please try again."))
    record(actor=actor, verb="services.book_appointment", obj=appointment, organisation=item.organisation_id,
           after={"reference": reference, "slot": slot.pk, "item": item.pk})  # fmt: skip
    slot.refresh_from_db(fields=["booked"])
    return appointment, code


@action
def cancel_appointment(*, actor: Any, appointment: Appointment, code: str = "") -> Appointment:
    """Cancel a booking (the holder of the code, the citizen who booked, or the centre's staff)."""
    appointment = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
    staff = policy_for(appointment).can(actor, "process", appointment)
    own = getattr(actor, "is_authenticated", False) and appointment.user_id == actor.pk
    if not (staff or own or check_code(appointment.reference, appointment.tracking_hash, code)):
        raise PermissionDenied("not allowed: cancel")
    if appointment.status != AppointmentStatus.BOOKED:
        raise ActionError(_("Only a booked appointment can be cancelled."))
    if not staff and _slot_past(appointment.slot):
        raise ActionError(_("This appointment has already started."))
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    AppointmentSlot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    record(actor=actor, verb="services.cancel_appointment", obj=appointment, organisation=appointment.item.organisation_id,
           before={"status": AppointmentStatus.BOOKED}, after={"status": AppointmentStatus.CANCELLED})  # fmt: skip
    return appointment
