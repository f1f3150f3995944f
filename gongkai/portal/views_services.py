"""Public pages of government services (政务服务): the service guide (办事指南) and appointments.

The guide lists the published service items of every implementing unit, filterable by unit and
kind and searchable by name or item code; an item's page shows its "五公开" (content, fees,
process, time limits, results) with the recently completed cases of the item, applicants'
names masked. Both pages are the same for every reader and are cached whole for anonymous
readers (``anonymous_page``), so a newly published item or completed case may take up to
``PORTAL_CACHE_SECONDS`` to show.

Booking (预约) copies the mailbox form (``views_interaction``): ``Cache-Control: private,
no-store``; a check question; bookings and invalid forms counted per client address and refused
with a 429 page beyond the hourly limits; a one-time submission key so that a double click
shows the first booking's confirmation; the reference and code are shown once, to the session
that booked. Whether the slot is still free and in the future is decided by ``book_appointment``
(a conditional update), never here. A booking is cancelled with its reference and code; a
missing booking and a wrong code look the same.

Online applications, the status look-up and a citizen's own cases are in ``views_services_cases``.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from gongkai.core.actions import ActionError
from gongkai.orgs.models import Organisation
from gongkai.portal import captcha
from gongkai.portal.cache import anonymous_page
from gongkai.portal.case_access import Receipts
from gongkai.portal.forms_services import BookingForm, CancelForm, GuideFilterForm
from gongkai.portal.views_applications import (
    HOUR,
    KEY_PATTERN,
    RECEIPT_SECONDS,
    _put_errors,
    _session_tag,
    error_summary,
    private_page,
    throttle_count,
    throttle_hit,
)
from gongkai.services import actions
from gongkai.services.models import (
    ApplicantKind,
    Appointment,
    AppointmentSlot,
    CaseStatus,
    ServiceCase,
    ServiceItem,
)
from gongkai.services.policies import ServiceItemPolicy

PER_PAGE = 20
RESULTS_SHOWN = 10  # recently completed cases on an item's page
BOOKING_DAYS = 60  # how far ahead slots are offered
MAX_SLOTS = 600  # slots read for the booking page, whatever a window has opened
BOOKING_SESSION = "gk_booking_receipt"  # the submission key of the last booking made from here
ANONYMOUS = AnonymousUser()
item_policy = ServiceItemPolicy()

# Ends of organisation names kept when the name is masked (攸县宏达建材有限公司 → 攸县****有限公司).
ORG_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "专业合作社", "合作社", "公司", "中心", "协会", "学校",
                "医院", "委员会", "厂", "店", "部", "场", "站", "所")  # fmt: skip


def booking_limit() -> int:
    return settings.BOOKING_THROTTLE_PER_HOUR


def invalid_booking_limit() -> int:
    return settings.BOOKING_INVALID_PER_HOUR


def track_limit() -> int:
    return settings.TRACK_FAILURES_PER_HOUR


def too_many(request: HttpRequest, what: str) -> HttpResponse:
    response = render(
        request, "portal/services/throttled.html", {"nav": "services", "what": what}, status=429
    )
    response["Retry-After"] = str(HOUR)
    return response


def citizen(request: HttpRequest) -> Any:
    """The signed-in citizen, or None (staff accounts act as members of the public here)."""
    user = request.user
    return user if user.is_authenticated and getattr(user, "is_citizen", False) else None


def mask_applicant(kind: str, name: str) -> str:
    """An applicant's name as the public results list shows it: 张三 → 张*, a company keeps its
    first two characters and its legal form (攸县宏达建材有限公司 → 攸县****有限公司)."""
    name = (name or "").strip()
    if not name:
        return ""
    if kind != ApplicantKind.ORGANISATION:
        return name[0] + "*" * min(max(len(name) - 1, 1), 4)
    suffix = next((s for s in ORG_SUFFIXES if name.endswith(s) and len(name) > len(s) + 2), "")
    hidden = len(name) - 2 - len(suffix)
    return name[:2] + "*" * min(max(hidden, 1), 4) + suffix


# --- 1. the service guide ------------------------------------------------------------------------


def public_items() -> QuerySet[ServiceItem]:
    """The items the guide shows: what the item policy shows an anonymous reader (published and active),
    of an active unit. Signed-in staff see the same: this is the public guide, not their catalogue."""
    return item_policy.visible_to(ANONYMOUS).filter(organisation__is_active=True)


def _units() -> list[tuple[int, str]]:
    """The units with at least one published item, in tree order (one query)."""
    return list(
        Organisation.objects.filter(pk__in=public_items().values("organisation_id"))
        .order_by("path", "sort_order", "name")
        .values_list("pk", "name")
    )


LIST_FIELDS = (
    "pk", "code", "name", "kind", "promised_limit_days", "statutory_limit_days", "fee_free", "online",
    "window_id", "organisation_id", "organisation__name",
)  # fmt: skip


@require_safe
@anonymous_page
def guide(request: HttpRequest) -> HttpResponse:
    """办事指南: the published service items, by unit and kind, searchable."""
    units = _units()
    filters = GuideFilterForm(request.GET, units=units)
    unit, kind, text = filters.value("unit"), filters.value("kind"), (filters.value("q") or "").strip()
    qs = public_items()
    if unit:
        qs = qs.filter(organisation_id=unit)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text))
    qs = qs.select_related("organisation").only(*LIST_FIELDS).order_by("organisation__path", "code", "pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/services/guide.html", {
        "nav": "services",
        "page": page,
        "filters": filters,
        "filtered": bool(unit or kind or text),
        "text": text,
        "citizen": citizen(request),
    })  # fmt: skip


def recent_results(item: ServiceItem) -> list[dict[str, Any]]:
    """办件结果公示: the item's latest completed cases, the applicant's name masked, nothing else personal."""
    rows = (
        ServiceCase.objects.filter(item=item, status=CaseStatus.COMPLETED)
        .order_by("-completed_on", "-id")
        .values("case_number", "applicant_kind", "applicant_name", "received_on", "completed_on", "result")
    )[:RESULTS_SHOWN]
    labels = dict(ServiceCase._meta.get_field("result").choices)
    return [
        {
            "case_number": r["case_number"],
            "applicant": mask_applicant(r["applicant_kind"], r["applicant_name"]),
            "received_on": r["received_on"],
            "completed_on": r["completed_on"],
            "result": labels.get(r["result"], r["result"]),
        }
        for r in rows
    ]


def _item_or_404(pk: int) -> ServiceItem:
    item = public_items().select_related("organisation", "window__centre").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def bookable(item: ServiceItem) -> bool:
    return item.window_id is not None and item.window.is_active


@require_safe
@anonymous_page
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """One item's guide: the "五公开" and the buttons to book and to apply online."""
    obj = _item_or_404(pk)
    return render(request, "portal/services/item.html", {
        "nav": "services",
        "item": obj,
        "materials": obj.material_list(),
        "steps": obj.process_steps(),
        "results": recent_results(obj),
        "completed": ServiceCase.objects.filter(item=obj, status=CaseStatus.COMPLETED).count(),
        "bookable": bookable(obj),
    })  # fmt: skip


# --- 2. booking an appointment ---------------------------------------------------------------------


BOOKINGS = Receipts("booking")


def offered_slots(item: ServiceItem, now: datetime | None = None) -> list[AppointmentSlot]:
    """The free slots of the item's window that have not started yet, for the coming weeks."""
    now = timezone.localtime(now)
    today = now.date()
    return list(
        AppointmentSlot.objects.filter(window_id=item.window_id, booked__lt=F("capacity"))
        .filter(Q(date__gt=today) | Q(date=today, start__gt=now.time()))
        .filter(date__lte=today + timedelta(days=BOOKING_DAYS))
        .order_by("date", "start", "pk")[:MAX_SLOTS]
    )


def _days(slots: list[AppointmentSlot]) -> list[date]:
    return sorted({s.date for s in slots})


def _chosen_day(value: str, days: list[date]) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        day = None
    return day if day in days else (days[0] if days else None)


def _book_page(request: HttpRequest, item: ServiceItem, form: BookingForm, key: str, offered: list[AppointmentSlot],
               day: date | None) -> HttpResponse:  # fmt: skip
    passed = form.captcha_passed or form.captcha_ok
    challenge = None if passed else captcha.new_challenge(request)
    if challenge is not None:
        if form.is_bound:  # a fresh question: the old answer and token are of no use any more
            form.data = form.data.copy()
            form.data["captcha_answer"] = ""
            form.data["captcha_token"] = challenge.token
        else:
            form.initial["captcha_token"] = challenge.token
        described = "captcha-question captcha-help"
        if form.is_bound and form["captcha_answer"].errors:
            described += f" {form['captcha_answer'].auto_id}_error"
        form.fields["captcha_answer"].widget.attrs["aria-describedby"] = described
    chosen = str(form["slot"].value() or "")
    return render(request, "portal/services/book.html", {
        "nav": "services",
        "item": item,
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "submission_key": key,
        "challenge": challenge,
        "captcha_passed": passed,
        "days": _days(offered),
        "day": day,
        "slots": [(s, str(s.pk) == chosen) for s in offered if s.date == day],
    })  # fmt: skip


@private_page
@sensitive_post_parameters("name", "phone", "captcha_answer")
@require_http_methods(["GET", "HEAD", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """预约: choose a day and a free time at the item's window (no account needed)."""
    obj = _item_or_404(pk)
    if not bookable(obj):
        raise Http404
    offered = offered_slots(obj)
    days = _days(offered)
    window_slots = AppointmentSlot.objects.filter(window_id=obj.window_id)

    def form_for(*args: Any, passed: bool = False) -> BookingForm:
        return BookingForm(*args, request=request, slots=window_slots, offered=offered, captcha_passed=passed)

    if request.method != "POST":
        day = _chosen_day(request.GET.get("date", ""), days)
        return _book_page(request, obj, form_for(), secrets.token_urlsafe(32), offered, day)

    key = request.POST.get("submission_key", "")
    if not KEY_PATTERN.match(key):
        key = ""
    elif BOOKINGS.get(request, key) is not None:  # the same form again (a double click, a reload)
        request.session[BOOKING_SESSION] = key
        return redirect("portal:service_booked")
    if throttle_count("booking", request) >= booking_limit():
        return too_many(request, "book")
    if throttle_count("booking_invalid", request) >= invalid_booking_limit():
        return too_many(request, "book")

    form = form_for(request.POST, passed=bool(key) and captcha.has_passed(request, key))
    valid = form.is_valid()
    if not key:
        key = secrets.token_urlsafe(32)
    if form.captcha_ok:
        captcha.remember_pass(request, key)
    if valid:
        slot = form.cleaned_data["slot"]
        try:
            appointment, code = actions.book_appointment(
                actor=citizen(request), slot=slot, item=obj, name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"], user=citizen(request),
            )  # fmt: skip
        except ActionError as exc:
            _put_errors(form, exc, default_field="slot")
        else:
            if not request.session.session_key:
                request.session.save()
            cache.set(BOOKINGS.cache_key(key), {
                "session": _session_tag(request),
                "reference": appointment.reference,
                "code": code,
                "item": obj.name,
                "unit": obj.organisation.name,
                "centre": obj.window.centre.name,
                "window": str(obj.window),
                "location": obj.location,
                "date": slot.date.isoformat(),
                "start": slot.start.strftime("%H:%M"),
                "end": slot.end.strftime("%H:%M"),
            }, timeout=RECEIPT_SECONDS)  # fmt: skip
            request.session[BOOKING_SESSION] = key
            captcha.forget_pass(request, key)
            throttle_hit("booking", request)
            return redirect("portal:service_booked")
    throttle_hit("booking_invalid", request)
    posted = form.cleaned_data.get("slot") if hasattr(form, "cleaned_data") else None
    day = _chosen_day(posted.date.isoformat() if posted else request.POST.get("date", ""), days)
    if posted is not None and posted.date not in days:
        day = days[0] if days else None
    return _book_page(request, obj, form, key, offered, day)


@private_page
@require_safe
def booked(request: HttpRequest) -> HttpResponse:
    """The booking's confirmation: reference and code, shown this once."""
    key = request.session.get(BOOKING_SESSION) or ""
    receipt = BOOKINGS.get(request, key) if isinstance(key, str) else None
    return render(request, "portal/services/booked.html", {"nav": "services", "receipt": receipt})


def _cancel_page(request: HttpRequest, form: CancelForm, status: int = 200) -> HttpResponse:
    return render(request, "portal/services/cancel.html", {
        "nav": "services", "form": form, "errors": error_summary(form) if form.is_bound else [],
    }, status=status)  # fmt: skip


@private_page
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest) -> HttpResponse:
    """Cancel a booking with its reference and code; the place is freed for someone else."""
    if request.method != "POST":
        return _cancel_page(request, CancelForm(initial={"reference": request.GET.get("reference", "")[:30]}))
    if throttle_count("booking_cancel_failed", request) >= track_limit():
        return too_many(request, "cancel")
    form = CancelForm(request.POST)
    if form.is_valid():
        reference, code = form.cleaned_data["reference"], form.cleaned_data["code"]
        appointment = Appointment.objects.select_related("slot", "item").filter(reference=reference).first()
        if appointment is not None and actions.check_code(
            appointment.reference, appointment.tracking_hash, code
        ):
            try:
                actions.cancel_appointment(actor=citizen(request), appointment=appointment, code=code)
            except (ActionError, PermissionDenied) as exc:
                # Only the holder of the code gets here: the reason (already cancelled, already past) is theirs.
                messages_ = getattr(exc, "messages", None) or [_("This booking cannot be cancelled.")]
                form.add_error(None, messages_)
                return _cancel_page(request, form)
            messages.success(request, _("Your booking %(reference)s for %(day)s %(start)s was cancelled.") % {
                "reference": appointment.reference, "day": appointment.slot.date.isoformat(),
                "start": appointment.slot.start.strftime("%H:%M"),
            })  # fmt: skip
            return redirect("portal:service_cancel")
        form.add_error(None, _("No booking matches this reference and code. Check both and try again."))
    throttle_hit("booking_cancel_failed", request)
    return _cancel_page(request, form)


# --- sitemap -------------------------------------------------------------------------------------


class ServiceItemSitemap(Sitemap):
    """The guide and every published item's page."""

    changefreq = "weekly"
    priority = 0.6
    limit = 10_000

    def items(self) -> list[Any]:
        return ["guide", *public_items().only("pk", "updated_at").order_by("pk")]

    def location(self, obj: Any) -> str:
        return reverse("portal:services") if obj == "guide" else reverse("portal:service_item", args=[obj.pk])

    def lastmod(self, obj: Any) -> datetime | None:
        return None if obj == "guide" else obj.updated_at
