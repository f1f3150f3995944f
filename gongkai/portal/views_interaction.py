"""Public pages of the leader mailbox (领导信箱): writing, tracking and rating, the published
Q&A, and the monthly statistics.

Writing and tracking copy the pages of applications (``views_applications``): every response
is ``Cache-Control: private, no-store``; submissions and failed look-ups are counted per client
address and refused with a 429 page beyond the hourly limits; a one-time submission key makes a
double click create one letter; the case number and tracking code are shown once, from the
session that sent the letter. A letter is reached with its case number and tracking code only
(kept in the session once proved); a missing case and a wrong code look the same.

The list of mailboxes, the Q&A and the statistics are the same for every reader and are cached
whole for anonymous readers (``anonymous_page``). Publishing and unpublishing a letter's Q&A do
not bump the portal's cache generation (those actions belong to the interaction app), so these
pages may be up to ``PORTAL_CACHE_SECONDS`` old. They show only the masked public texts
(``public_subject``, ``public_body``, ``public_reply``), never what the writer sent.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongkai.core.actions import ActionError
from gongkai.interaction import actions
from gongkai.interaction.masking import mask
from gongkai.interaction.models import Category, Channel, ChannelKind, Letter, LetterStatus, Rating
from gongkai.interaction.policies import LetterPolicy
from gongkai.orgs.models import Organisation
from gongkai.portal import captcha
from gongkai.portal.cache import anonymous_page
from gongkai.portal.case_access import CodeStore, Receipts
from gongkai.portal.forms_interaction import LetterForm, LetterTrackForm, RatingForm, RepliesFilterForm
from gongkai.portal.views_applications import (
    HOUR,
    KEY_PATTERN,
    RECEIPT_SECONDS,
    _mask_address,
    _mask_email,
    _mask_name,
    _mask_phone,
    _put_errors,
    _session_tag,
    error_summary,
    private_page,
    throttle_count,
    throttle_hit,
)

TRACK_SESSION = "gk_mailbox_track"  # {case number: tracking code} proved on this device
RECEIPT_SESSION = "gk_mailbox_receipt"  # the submission key of the last letter sent from here
PER_PAGE = 20
CASE_PATTERN = re.compile(r"^[A-Z0-9]{1,30}$")


def mailbox_limit() -> int:
    return int(getattr(settings, "MAILBOX_THROTTLE_PER_HOUR", 10))


def invalid_mailbox_limit() -> int:
    """Forms sent back with errors (wrong check answers included) from one address in an hour."""
    return int(getattr(settings, "MAILBOX_INVALID_PER_HOUR", 5 * mailbox_limit()))


def track_limit() -> int:
    return int(getattr(settings, "TRACK_FAILURES_PER_HOUR", 20))


def too_many(request: HttpRequest, what: str) -> HttpResponse:
    response = render(
        request, "portal/interaction/throttled.html", {"nav": "mailbox", "what": what}, status=429
    )
    response["Retry-After"] = str(HOUR)
    return response


# --- 1. the mailboxes and the letter form ----------------------------------------------------------


def _mailboxes() -> Any:
    return (
        Channel.objects.filter(kind=ChannelKind.MAILBOX, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__path", "sort_order", "id")
    )


@anonymous_page
@require_safe
def mailboxes(request: HttpRequest) -> HttpResponse:
    """领导信箱: the open mailboxes, per government."""
    groups: dict[int, tuple[Organisation, list[Channel]]] = {}
    for channel in _mailboxes():
        groups.setdefault(channel.organisation_id, (channel.organisation, []))[1].append(channel)
    return render(
        request, "portal/interaction/mailboxes.html", {"nav": "mailbox", "groups": list(groups.values())}
    )


RECEIPTS = Receipts("mailbox")
_receipt_cache_key, _receipt = RECEIPTS.cache_key, RECEIPTS.get


def _write_page(request: HttpRequest, channel: Channel, form: LetterForm, key: str) -> HttpResponse:
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
    return render(request, "portal/interaction/write.html", {
        "nav": "mailbox",
        "channel": channel,
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "submission_key": key,
        "challenge": challenge,
        "captcha_passed": passed,
    })  # fmt: skip


def _channel_or_404(channel_id: int) -> Channel:
    channel = _mailboxes().filter(pk=channel_id).first()
    if channel is None:
        raise Http404
    return channel


@private_page
@sensitive_post_parameters("writer_name", "phone", "email", "address", "subject", "body", "captcha_answer")
@require_http_methods(["GET", "HEAD", "POST"])
def write(request: HttpRequest, channel_id: int) -> HttpResponse:
    """写信: the letter form of one mailbox (no account needed)."""
    channel = _channel_or_404(channel_id)
    if request.method != "POST":
        return _write_page(request, channel, LetterForm(request=request), secrets.token_urlsafe(32))

    key = request.POST.get("submission_key", "")
    if not KEY_PATTERN.match(key):
        key = ""
    elif _receipt(request, key) is not None:
        # The same form again (a double click, a reload): show the first letter's confirmation.
        request.session[RECEIPT_SESSION] = key
        return redirect("portal:mailbox_done")
    if throttle_count("mailbox", request) >= mailbox_limit():
        return too_many(request, "write")
    if throttle_count("mailbox_invalid", request) >= invalid_mailbox_limit():
        return too_many(request, "write")

    form = LetterForm(request.POST, request=request,
                      captcha_passed=bool(key) and captcha.has_passed(request, key))  # fmt: skip
    valid = form.is_valid()
    if not key:
        key = secrets.token_urlsafe(32)
    if form.captcha_ok:
        captcha.remember_pass(request, key)
    if valid:
        user = request.user
        try:
            letter, code = actions.submit_letter(
                actor=user if user.is_authenticated and getattr(user, "is_citizen", False) else None,
                channel=channel, category=form.cleaned_data["category"], submission_key=key,
                **form.action_fields(),
            )  # fmt: skip
        except ActionError as exc:
            if Letter.objects.filter(submission_key=key).exists():
                # Sent twice at the same moment: the first request is finishing its confirmation.
                for _attempt in range(30):
                    if _receipt(request, key) is not None:
                        request.session[RECEIPT_SESSION] = key
                        return redirect("portal:mailbox_done")
                    time.sleep(0.1)
                form.add_error(None, _("This form was already submitted. Follow your letter on the tracking "
                                       "page with the case number and tracking code."))  # fmt: skip
            else:
                _put_errors(form, exc)
        else:
            if not request.session.session_key:
                request.session.save()
            cache.set(_receipt_cache_key(key), {
                "session": _session_tag(request),
                "case_number": letter.case_number,
                "code": code,
                "mailbox": channel.name,
                "government": channel.organisation.name,
                "received_on": letter.received_on.isoformat(),
            }, timeout=RECEIPT_SECONDS)  # fmt: skip
            remember_code(request, letter.case_number, code)
            request.session[RECEIPT_SESSION] = key
            captcha.forget_pass(request, key)
            throttle_hit("mailbox", request)
            return redirect("portal:mailbox_done")
    throttle_hit("mailbox_invalid", request)
    return _write_page(request, channel, form, key)


@private_page
@require_safe
def done(request: HttpRequest) -> HttpResponse:
    """The confirmation: case number and tracking code, shown this once."""
    key = request.session.get(RECEIPT_SESSION) or ""
    receipt = _receipt(request, key) if isinstance(key, str) else None
    return render(request, "portal/interaction/done.html", {"nav": "mailbox", "receipt": receipt})


# --- 2. tracking and rating ----------------------------------------------------------------------


CODES = CodeStore(TRACK_SESSION)
_codes, remember_code, forget_code = CODES.codes, CODES.remember, CODES.forget


def authorised(request: HttpRequest, case_number: str) -> tuple[Letter, str] | None:
    """The letter and its tracking code, when the code was proved in this session; else None."""
    number = (case_number or "").strip().upper()
    code = _codes(request).get(number)
    if not code:
        return None
    letter = actions.find_by_tracking(number, code)
    if letter is None:
        forget_code(request, number)
        return None
    return letter, code


def _track_page(request: HttpRequest, form: LetterTrackForm, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "portal/interaction/track.html", {
        "nav": "mailbox", "form": form, "errors": error_summary(form) if form.is_bound else [], **extra,
    }, status=status)  # fmt: skip


@private_page
@sensitive_post_parameters("tracking_code")
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look a letter up by case number and tracking code."""
    if request.method != "POST":
        return _track_page(
            request, LetterTrackForm(initial={"case_number": request.GET.get("case", "")[:30]})
        )
    if throttle_count("mailbox_track_failed", request) >= track_limit():
        return too_many(request, "track")
    form = LetterTrackForm(request.POST)
    if form.is_valid():
        number, code = form.cleaned_data["case_number"], form.cleaned_data["tracking_code"]
        letter = actions.find_by_tracking(number, code)
        if letter is not None:
            remember_code(request, letter.case_number, code)
            request.session.cycle_key()  # a new session id once it grants access to a letter
            return redirect("portal:mailbox_track_detail", case_number=letter.case_number)
        form.add_error(
            None, _("No letter matches this case number and tracking code. Check both and try again.")
        )
    throttle_hit("mailbox_track_failed", request)
    return _track_page(request, form)


def writer_summary(letter: Letter) -> list[tuple[str, str]]:
    """The writer's details, partly hidden (a screen over the shoulder gives little away)."""
    rows = [(_("Name"), _mask_name(letter.writer_name))]
    if letter.phone:
        rows.append((_("Telephone"), _mask_phone(letter.phone)))
    if letter.email:
        rows.append((_("E-mail"), _mask_email(letter.email)))
    if letter.address:
        rows.append((_("Address"), _mask_address(letter.address)))
    return rows


def _not_authorised(request: HttpRequest, case_number: str) -> HttpResponse:
    """The same page for a missing letter and for one this visitor may not see: the look-up form."""
    form = LetterTrackForm(initial={"case_number": (case_number or "")[:30]})
    return _track_page(request, form, status=404, ask_code=True)


def _detail_page(request: HttpRequest, letter: Letter, *, rating_form: RatingForm | None = None,
                 status: int = 200) -> HttpResponse:  # fmt: skip
    closed = letter.status == LetterStatus.CLOSED
    has_reply = closed and bool(letter.reply)
    can_rate = has_reply and not letter.rating
    if can_rate and rating_form is None:
        rating_form = RatingForm()
    names = (letter.writer_name,)
    return render(request, "portal/interaction/detail.html", {
        "nav": "mailbox",
        "letter": letter,
        "subject": mask(letter.subject, names=names),
        "body": mask(letter.body, names=names),
        "writer": writer_summary(letter),
        "has_reply": has_reply,
        "rating_form": rating_form if can_rate else None,
        "errors": error_summary(rating_form) if rating_form is not None and rating_form.is_bound else [],
    }, status=status)  # fmt: skip


@private_page
@require_safe
def track_detail(request: HttpRequest, case_number: str) -> HttpResponse:
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    return _detail_page(request, found[0])


@private_page
@require_POST
def rate(request: HttpRequest, case_number: str) -> HttpResponse:
    """评价: the writer rates the reply, once."""
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    letter, code = found
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            actions.rate_letter(actor=None, letter=letter, rating=form.cleaned_data["rating"],
                                note=form.cleaned_data["note"], tracking_code=code)  # fmt: skip
        except ActionError as exc:
            _put_errors(form, exc, default_field=None)
            letter.refresh_from_db()
            if letter.rating:  # rated meanwhile (another tab): show the rating given
                messages.info(request, _("This reply has already been rated."))
                return redirect("portal:mailbox_track_detail", case_number=letter.case_number)
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
            return redirect("portal:mailbox_track_detail", case_number=letter.case_number)
    return _detail_page(request, letter, rating_form=form)


@private_page
@require_POST
def forget(request: HttpRequest, case_number: str) -> HttpResponse:
    """Close the letter on this device: the code must be entered again to see it."""
    forget_code(request, (case_number or "").strip().upper())
    messages.info(request, _("The letter is closed on this device."))
    return redirect("portal:mailbox_track")


# --- 3. the published Q&A ------------------------------------------------------------------------

PUBLIC_LIST_FIELDS = (
    "pk", "received_on", "replied_on", "public_subject", "channel_id", "category_id", "reply_unit__name",
    "channel__name", "category__name",
)  # fmt: skip


def _published() -> Any:
    """What the public may see, by the letter policy for an anonymous reader (the Q&A of published letters).

    Signed-in staff reading the portal see the same: these are public pages, not their queue.
    """
    return LetterPolicy().visible_to(AnonymousUser()).filter(organisation__is_active=True)


@anonymous_page
@require_safe
def replies(request: HttpRequest) -> HttpResponse:
    """来信选登: published letters and their replies, personal data removed, newest reply first."""
    channels = list(
        Channel.objects.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__path", "sort_order", "id")
    )
    categories = list(Category.objects.filter(is_active=True))
    filters = RepliesFilterForm(request.GET, channels=channels, categories=categories)
    qs = _published()
    channel_id, category_id = filters.value("channel"), filters.value("category")
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    qs = qs.select_related("reply_unit", "channel", "category").only(*PUBLIC_LIST_FIELDS)
    page = Paginator(qs.order_by("-replied_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/interaction/replies.html", {
        "nav": "mailbox", "page": page, "filters": filters, "filtered": bool(channel_id or category_id),
    })  # fmt: skip


@anonymous_page
@require_safe
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = (
        _published().filter(pk=pk).select_related("reply_unit", "channel", "category")
        .only(*PUBLIC_LIST_FIELDS, "public_body", "public_reply").first()
    )  # fmt: skip
    if letter is None:
        raise Http404
    return render(request, "portal/interaction/reply.html", {"nav": "mailbox", "letter": letter})


# --- 4. statistics -------------------------------------------------------------------------------


@dataclass
class MonthRow:
    month: date
    received: int = 0
    valid: int = 0
    replied: int = 0
    rated: int = 0
    satisfied: int = 0  # satisfied or basically satisfied

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.valid if self.valid else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def reply_rate_text(self) -> str:
        return _percent(self.reply_rate)

    @property
    def satisfaction_text(self) -> str:
        return _percent(self.satisfaction)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


REPLIED = Q(status=LetterStatus.CLOSED) & (~Q(reply="") | Q(answered_on_spot=True))
RATED = ~Q(rating="")
SATISFIED = Q(rating__in=(Rating.SATISFIED, Rating.BASIC))


def monthly(year: int, organisations: list[int]) -> dict[int, list[MonthRow]]:
    """Per government, twelve months of the year, from one grouped query."""
    rows = (
        Letter.objects.filter(received_on__year=year, organisation_id__in=organisations)
        .annotate(month=TruncMonth("received_on"))
        .values("organisation_id", "month")
        .annotate(
            received=Count("pk"),
            valid=Count("pk", filter=Q(valid=True)),
            replied=Count("pk", filter=REPLIED),
            rated=Count("pk", filter=RATED),
            satisfied=Count("pk", filter=SATISFIED),
        )
        .order_by()
    )
    out = {pk: [MonthRow(date(year, m, 1)) for m in range(1, 13)] for pk in organisations}
    for r in rows:
        month = r["month"]
        row = out[r["organisation_id"]][month.month - 1]
        row.received, row.valid, row.replied = r["received"], r["valid"], r["replied"]
        row.rated, row.satisfied = r["rated"], r["satisfied"]
    return out


def _total(rows: list[MonthRow], year: int) -> MonthRow:
    total = MonthRow(date(year, 1, 1))
    for r in rows:
        total.received += r.received
        total.valid += r.valid
        total.replied += r.replied
        total.rated += r.rated
        total.satisfied += r.satisfied
    return total


@anonymous_page
@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    """Monthly figures of letters and calls per government, by month of receipt."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year:
        year = this_year
    governments = list(
        Organisation.objects.filter(is_active=True, channels__isnull=False).distinct().order_by("path")
    )
    data = monthly(year, [g.pk for g in governments])
    tables = [(g, data[g.pk], _total(data[g.pk], year)) for g in governments]
    return render(request, "portal/interaction/statistics.html", {
        "nav": "mailbox", "year": year, "this_year": this_year, "tables": tables,
        "previous_year": year - 1 if year > 2000 else None, "next_year": year + 1 if year < this_year else None,
    })  # fmt: skip
