"""信息处理费: the 2019 progressive fee (2019 Art. 42 and 国办函〔2020〕109号) and 2008 cost fees.

Under the 2019 text an application is free unless quantity or frequency clearly exceed a
reasonable range. The fee is charged either per application (按件) or per page (按量) for one
application, never both.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeMode(models.TextChoices):
    PER_APPLICATION = "per_application", _("Per application (按件计收)")
    PER_PAGE = "per_page", _("Per page (按量计收)")
    COST = "cost", _("Cost of search, copying and postage (2008 Art. 27)")


# 按件: same applicant, same agency, one calendar month. Applications 1–10 are free, the 11th–30th
# cost 100 元 each, and from the 31st each further band of 10 costs 100 元 more per application.
FREE_APPLICATIONS = 10
FIRST_BAND_END = 30
BAND_SIZE = 10
BAND_STEP = Decimal(100)

# 按量: pages up to 30 are free; then (last page of the band, 元 per page); the last band is open.
FREE_PAGES = 30
PAGE_BANDS: tuple[tuple[int | None, Decimal], ...] = (
    (100, Decimal(10)),
    (200, Decimal(20)),
    (None, Decimal(40)),
)


def fee_for_nth_application(n: int) -> Decimal:
    """The fee for the ``n``-th application (1-based) of one applicant to one agency in a month."""
    if n < 1:
        raise ValueError("n starts at 1")
    if n <= FREE_APPLICATIONS:
        return Decimal(0)
    if n <= FIRST_BAND_END:
        return BAND_STEP
    return BAND_STEP * (2 + (n - FIRST_BAND_END - 1) // BAND_SIZE)


def fee_for_applications(count: int) -> Decimal:
    """The total for ``count`` applications in one month (RULES §2: 45 ⇒ 5,500 元)."""
    return sum((fee_for_nth_application(n) for n in range(1, count + 1)), Decimal(0))


def fee_for_pages(pages: int) -> Decimal:
    """The fee for one application of ``pages`` pages (RULES §2: 250 pages ⇒ 4,700 元)."""
    if pages < 0:
        raise ValueError("pages cannot be negative")
    total = Decimal(0)
    lower = FREE_PAGES
    for upper, rate in PAGE_BANDS:
        if pages <= lower:
            break
        top = pages if upper is None else min(pages, upper)
        total += (top - lower) * rate
        if upper is None:
            break
        lower = upper
    return total


def describe_bands(mode: str) -> str:
    """The rate table printed on the fee notice."""
    if mode == FeeMode.PER_APPLICATION:
        return str(
            _(
                "Per application, same applicant, same agency, one calendar month: applications 1–10 free; "
                "11th–30th 100 yuan each; from the 31st, each further band of 10 costs 100 yuan more "
                "per application."
            )
        )
    if mode == FeeMode.PER_PAGE:
        return str(
            _(
                "Per page: up to 30 pages free; pages 31–100 10 yuan per page; pages 101–200 20 yuan per "
                "page; from page 201 40 yuan per page."
            )
        )
    return str(_("The cost of search, copying and postage (2008 Art. 27)."))
