"""The figures of the 2008-era narrative report (RULES §4.3, the seed's seven parts).

One table ``"n"`` with one column ``"value"``; each row is a figure the narrative quotes. Every
figure is a grouped aggregate (a constant number of queries); :func:`records` lists the records
behind a figure and :data:`SOURCES` names the figures a rate or an average is computed from.

Definitions:
- items: disclosure items (not news) published in the year, by the government and its
  departments (every unit that is not a township) and by the townships; news: news articles
  published in the year; portal: items and news published in the year; images and videos:
  attachments of that kind on them; page views: the year's daily views of the units' items;
- applications: received in the year, by channel (online = online or e-mail; written = in
  person, by post or fax; other = oral); replied = closed in the year; on-time rate = closed on
  time ÷ closed, in percent; fees charged = information-processing fees paid in the year (yuan);
- letters (interaction.stats.yearly): leader mailbox received, valid, completed; letters
  forwarded by a higher hotline; valid hotline calls;
- decisions published for comment and hearings held (interaction.actions_decisions);
- review, litigation (both kinds) and complaint cases filed in the year;
- staff: full-time staff of the organisation itself, part-time staff per unit below it (average
  over the units that entered a figure); spending (万元) by the government, departments (with the
  service centre and other bodies) and townships;
- the service centre (the highest centre in scope): units, staff, items, cases received,
  completion rate, fees (万元); township centres with an active window; the online system.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gongkai.applications import stats as app_stats
from gongkai.applications.models import Channel as AppChannel
from gongkai.applications.models import FeeNotice, FeeStatus
from gongkai.disclosure.models import (
    Attachment,
    AttachmentKind,
    DailyViews,
    DisclosureItem,
    ItemKind,
    ItemStatus,
)
from gongkai.interaction import stats as letter_stats
from gongkai.interaction.actions_decisions import decision_counts
from gongkai.interaction.models import ChannelKind, Letter, LetterStatus
from gongkai.interaction.models_decisions import DraftDecision, Hearing, HearingStatus
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.records.models import DisputeCase, DisputeKind, ReadingRoomVisit, SpendingFigure, StaffFigure
from gongkai.reports.figures import bounds, wan
from gongkai.reports.tables import Table
from gongkai.services import stats as svc_stats
from gongkai.services.models import ServiceWindow

ROWS: list[tuple[str, Any]] = [
    ("items_total", _("Items published (主动公开政府信息)")),
    ("items_government", _("… by the government and its departments (县政府和县直各部门单位)")),
    ("items_townships", _("… by the townships (乡镇政府)")),
    ("news", _("News articles published (政务动态)")),
    ("portal_total", _("Published on the portal (门户网站发布各类信息)")),
    ("images_videos", _("Images and videos (图片、视频)")),
    ("page_views", _("Page views (点击量)")),
    ("reading_room_visits", _("Reading-room visitors (查阅人次)")),
    ("applications_received", _("Applications received (受理申请)")),
    ("applications_online", _("… online (网络渠道)")),
    ("applications_written", _("… written (书面)")),
    ("applications_other", _("… other (其他)")),
    ("applications_replied", _("Applications replied (已答复)")),
    ("applications_on_time", _("… on time (按期答复)")),
    ("applications_on_time_rate", _("On-time rate, % (按期答复率)")),
    ("fees_charged", _("Fees charged to applicants, yuan (收费)")),
    ("mailbox_received", _("Leader mailbox letters received (信箱收到信件)")),
    ("mailbox_valid", _("… valid (有效信件)")),
    ("mailbox_completed", _("… completed (办结)")),
    ("mailbox_completion_rate", _("Completion rate, % (办结率)")),
    ("forwarded_received", _("Letters forwarded by the higher hotline (热线交办)")),
    ("hotline_received", _("Hotline calls (热线电话)")),
    ("hotline_valid", _("Valid hotline calls (有效电话)")),
    ("decisions_published", _("Decisions published for comment (重大决策)")),
    ("hearings", _("Hearings held (听证会)")),
    ("reviews", _("Administrative reviews (行政复议)")),
    ("litigations", _("Lawsuits (行政诉讼)")),
    ("complaints", _("Complaints (申诉)")),
    ("staff_full_time", _("Full-time staff of the office (全职工作人员)")),
    ("staff_part_time", _("Part-time staff of the units (兼职人员)")),
    ("staff_units", _("Units with a staff figure")),
    ("staff_part_time_average", _("Part-time staff per unit (平均兼职人员)")),
    ("spending_total", _("Spending, 10,000 yuan (财政投入)")),
    ("spending_government", _("… the government (县政府)")),
    ("spending_departments", _("… departments incl. the service centre (政府各部门单位)")),
    ("spending_townships", _("… townships (乡镇政府)")),
    ("centre_units", _("Units in the service centre (进驻单位)")),
    ("centre_staff", _("Service centre staff (工作人员)")),
    ("centre_items", _("Service centre items (审批事项)")),
    ("centre_received", _("Service centre cases (办理事项)")),
    ("centre_completion_rate", _("Service centre completion rate, % (办结率)")),
    ("centre_fees", _("Service centre fees, 10,000 yuan (收费)")),
    ("township_centres", _("Township service centres (乡镇便民服务中心)")),
    ("online_units", _("Units online (网上政务服务单位)")),
    ("online_received", _("Online cases received (收件)")),
    ("online_completed", _("Online cases completed (办结)")),
    ("online_completion_rate", _("Online completion rate, % (办结率)")),
]
VALUE = "value"
TITLE = _("Figures of the narrative report")
COLUMNS = [(VALUE, _("Value"))]

# Figures computed from other figures (the rest come from records).
SOURCES: dict[str, list[str]] = {
    "applications_on_time_rate": ["applications_on_time", "applications_replied"],
    "mailbox_completion_rate": ["mailbox_completed", "mailbox_valid"],
    "staff_part_time_average": ["staff_part_time", "staff_units"],
    "spending_total": ["spending_government", "spending_departments", "spending_townships"],
    "centre_completion_rate": ["centre_received"],
    "online_completion_rate": ["online_received"],
}

ONLINE = (AppChannel.ONLINE, AppChannel.EMAIL)
WRITTEN = (AppChannel.IN_PERSON, AppChannel.REGISTERED_MAIL, AppChannel.ORDINARY_MAIL, AppChannel.FAX)
GOVERNMENT_KINDS = (OrgKind.GOVERNMENT,)
TOWNSHIP_KINDS = (OrgKind.TOWNSHIP,)


def percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


def _published(ids: list[int], year: int) -> QuerySet[DisclosureItem]:
    start, end = bounds(year)
    return DisclosureItem.objects.filter(
        organisation_id__in=ids, status=ItemStatus.PUBLISHED, published_on__gte=start, published_on__lte=end
    )


ITEM_FILTERS = {
    "items_total": Q(kind=ItemKind.ITEM),
    "items_government": Q(kind=ItemKind.ITEM) & ~Q(organisation__kind__in=TOWNSHIP_KINDS),
    "items_townships": Q(kind=ItemKind.ITEM, organisation__kind__in=TOWNSHIP_KINDS),
    "news": Q(kind=ItemKind.NEWS),
    "portal_total": Q(),
}


def _applications(ids: list[int], year: int) -> dict[str, QuerySet[Any]]:
    start, end = bounds(year)
    received = app_stats.received(ids).filter(received_on__gte=start, received_on__lte=end)
    closed = app_stats.received(ids).filter(app_stats.cell_filters(year)["closed"])
    return {
        "applications_received": received,
        "applications_online": received.filter(channel__in=ONLINE),
        "applications_written": received.filter(channel__in=WRITTEN),
        "applications_other": received.exclude(channel__in=[*ONLINE, *WRITTEN]),
        "applications_replied": closed,
        "applications_on_time": closed.filter(on_time=True),
        "fees_charged": FeeNotice.objects.filter(
            application__organisation_id__in=ids, status=FeeStatus.PAID, paid_on__gte=start, paid_on__lte=end
        ),
    }


def _letters(ids: list[int], year: int) -> dict[str, QuerySet[Letter]]:
    qs = Letter.objects.filter(received_on__year=year, organisation_id__in=ids)
    completed = Q(valid=True, status=LetterStatus.CLOSED) & ~Q(reply="")
    mailbox = qs.filter(channel__kind=ChannelKind.MAILBOX)
    return {
        "mailbox_received": mailbox,
        "mailbox_valid": mailbox.filter(valid=True),
        "mailbox_completed": mailbox.filter(completed),
        "forwarded_received": qs.filter(channel__kind=ChannelKind.FORWARDED),
        "hotline_received": qs.filter(channel__kind=ChannelKind.HOTLINE),
        "hotline_valid": qs.filter(channel__kind=ChannelKind.HOTLINE, valid=True),
    }


def _disputes(ids: list[int], year: int) -> dict[str, QuerySet[DisputeCase]]:
    qs = DisputeCase.objects.filter(organisation_id__in=ids, filed_on__year=year)
    return {
        "reviews": qs.filter(kind=DisputeKind.REVIEW),
        "litigations": qs.filter(
            kind__in=[DisputeKind.LITIGATION_DIRECT, DisputeKind.LITIGATION_AFTER_REVIEW]
        ),
        "complaints": qs.filter(kind=DisputeKind.COMPLAINT),
    }


def _spending_filters() -> dict[str, Q]:
    return {
        "spending_government": Q(organisation__kind__in=GOVERNMENT_KINDS),
        "spending_departments": ~Q(organisation__kind__in=[*GOVERNMENT_KINDS, *TOWNSHIP_KINDS]),
        "spending_townships": Q(organisation__kind__in=TOWNSHIP_KINDS),
    }


def centre_of(ids: list[int]) -> Organisation | None:
    """The highest service centre in scope (the county's centre, not a township's)."""
    return Organisation.objects.filter(pk__in=ids, kind=OrgKind.CENTRE).order_by("depth", "pk").first()


def _township_centres(ids: list[int]) -> QuerySet[Organisation]:
    windows = ServiceWindow.objects.filter(is_active=True, centre__kind=OrgKind.TOWNSHIP, centre_id__in=ids)
    return Organisation.objects.filter(pk__in=windows.values("centre_id"))


def table(organisation: Organisation, ids: list[int], year: int) -> Table:
    start, end = bounds(year)
    v: dict[str, Any] = {}
    v.update(_published(ids, year).aggregate(**{k: Count("pk", filter=q) for k, q in ITEM_FILTERS.items()}))
    v["images_videos"] = _attachments(ids, year).count()
    v["page_views"] = _views(ids, year).aggregate(n=Sum("count"))["n"] or 0
    v["reading_room_visits"] = _visits(ids, year).aggregate(n=Sum("visitors"))["n"] or 0
    apps = _applications(ids, year)
    received = apps["applications_received"].aggregate(
        applications_received=Count("pk"),
        applications_online=Count("pk", filter=Q(channel__in=ONLINE)),
        applications_written=Count("pk", filter=Q(channel__in=WRITTEN)),
    )
    received["applications_other"] = (
        received["applications_received"] - received["applications_online"] - received["applications_written"]
    )
    v.update(received)
    v.update(apps["applications_replied"].aggregate(applications_replied=Count("pk"),
                                                    applications_on_time=Count("pk", filter=Q(on_time=True))))  # fmt: skip
    v["applications_on_time_rate"] = percent(v["applications_on_time"], v["applications_replied"])
    v["fees_charged"] = apps["fees_charged"].aggregate(n=Sum("amount"))["n"] or Decimal("0.00")
    letters = letter_stats.yearly(year, ids)
    mailbox, hotline = letters.get(ChannelKind.MAILBOX, {}), letters.get(ChannelKind.HOTLINE, {})
    v["mailbox_received"] = mailbox.get("received", 0)
    v["mailbox_valid"] = mailbox.get("valid", 0)
    v["mailbox_completed"] = mailbox.get("completed", 0)
    v["mailbox_completion_rate"] = percent(v["mailbox_completed"], v["mailbox_valid"])
    v["forwarded_received"] = letters.get(ChannelKind.FORWARDED, {}).get("received", 0)
    v["hotline_received"] = hotline.get("received", 0)
    v["hotline_valid"] = hotline.get("valid", 0)
    decisions = decision_counts(year, ids)
    v["decisions_published"], v["hearings"] = decisions["decisions_published"], decisions["hearings"]
    v.update(DisputeCase.objects.filter(organisation_id__in=ids, filed_on__year=year).aggregate(
        reviews=Count("pk", filter=Q(kind=DisputeKind.REVIEW)),
        litigations=Count("pk", filter=Q(kind__in=[DisputeKind.LITIGATION_DIRECT,
                                                   DisputeKind.LITIGATION_AFTER_REVIEW])),
        complaints=Count("pk", filter=Q(kind=DisputeKind.COMPLAINT)),
    ))  # fmt: skip
    staff = StaffFigure.objects.filter(organisation_id__in=ids, year=year).aggregate(
        full=Sum("full_time", filter=Q(organisation_id=organisation.pk)),
        part=Sum("part_time", filter=~Q(organisation_id=organisation.pk)),
        units=Count("pk", filter=~Q(organisation_id=organisation.pk)),
    )
    v["staff_full_time"], v["staff_part_time"] = staff["full"] or 0, staff["part"] or 0
    v["staff_units"] = staff["units"]
    v["staff_part_time_average"] = (
        (Decimal(v["staff_part_time"]) / v["staff_units"]).quantize(Decimal("0.1"))
        if v["staff_units"]
        else None
    )
    spent = SpendingFigure.objects.filter(organisation_id__in=ids, year=year).aggregate(
        **{k: Sum("amount", filter=q) for k, q in _spending_filters().items()}
    )
    for k, amount in spent.items():
        v[k] = wan(amount)
    v["spending_total"] = v["spending_government"] + v["spending_departments"] + v["spending_townships"]
    centre = centre_of(ids)
    if centre is not None:
        c = svc_stats.centre_figures(centre, year)
        v.update(centre_units=c["units"], centre_staff=c["staff"], centre_items=c["items"],
                 centre_received=c["received"], centre_completion_rate=c["completion_rate"],
                 centre_fees=wan(c["fees"]))  # fmt: skip
    else:
        v.update(dict.fromkeys(["centre_units", "centre_staff", "centre_items", "centre_received",
                                "centre_completion_rate", "centre_fees"]))  # fmt: skip
    v["township_centres"] = _township_centres(ids).count()
    online = svc_stats.online_figures(organisation, year)
    v.update(online_units=online["units"], online_received=online["received"],
             online_completed=online["completed"], online_completion_rate=online["completion_rate"])  # fmt: skip
    t = Table("n", TITLE, rows=list(ROWS), columns=list(COLUMNS))
    for row, _label in ROWS:
        t.cells[(row, VALUE)] = v[row]
    return t


def _attachments(ids: list[int], year: int) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        kind__in=[AttachmentKind.IMAGE, AttachmentKind.VIDEO], item__in=_published(ids, year)
    )


def _views(ids: list[int], year: int) -> QuerySet[DailyViews]:
    return DailyViews.objects.filter(item__organisation_id__in=ids, day__year=year)


def _visits(ids: list[int], year: int) -> QuerySet[ReadingRoomVisit]:
    return ReadingRoomVisit.objects.filter(room__organisation_id__in=ids, day__year=year)


def records(organisation: Organisation, ids: list[int], year: int, row: str) -> list[QuerySet[Any]]:
    """The records behind one figure (empty for a figure computed from others, see SOURCES)."""
    if row in ITEM_FILTERS:
        return [_published(ids, year).filter(ITEM_FILTERS[row])]
    simple = {"images_videos": _attachments, "page_views": _views, "reading_room_visits": _visits}
    if row in simple:
        return [simple[row](ids, year)]
    for group in (_applications, _letters, _disputes):
        found = group(ids, year)
        if row in found:
            return [found[row]]
    if row == "decisions_published":
        start, end = bounds(year)
        return [DraftDecision.objects.filter(organisation_id__in=ids, published_at__date__gte=start,
                                             published_at__date__lte=end)]  # fmt: skip
    if row == "hearings":
        return [Hearing.objects.filter(organisation_id__in=ids, status=HearingStatus.HELD, date__year=year)]
    if row in ("staff_full_time", "staff_part_time", "staff_units"):
        qs = StaffFigure.objects.filter(organisation_id__in=ids, year=year)
        own = Q(organisation_id=organisation.pk)
        return [qs.filter(own) if row == "staff_full_time" else qs.exclude(own)]
    if row in _spending_filters():
        return [SpendingFigure.objects.filter(_spending_filters()[row], organisation_id__in=ids, year=year)]
    if row.startswith("centre_") and row not in SOURCES:
        centre = centre_of(ids)
        figure = {"centre_received": "received", "centre_fees": "fees"}.get(row, row.removeprefix("centre_"))
        return [svc_stats.centre_records(centre, year, figure)] if centre is not None else []
    if row == "township_centres":
        return [_township_centres(ids)]
    if row.startswith("online_") and row not in SOURCES:
        return [svc_stats.online_records(organisation, year, row.removeprefix("online_"))]
    if row in SOURCES:
        return []
    raise KeyError(row)
