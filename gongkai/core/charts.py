"""Server-rendered bar charts as inline SVG: no JavaScript, no external resources.

Charts are horizontal bars so that long unit names fit as labels. Every chart is an image for
assistive technology (``role="img"`` named by its ``<title>`` and ``<desc>``), each bar has its
own ``<title>`` with the exact figure, bars link to the drill-down list like the numbers do,
and the same figures come back as rows for the table printed with the chart
(``office/supervision/_chart.html``). Colours are SVG presentation attributes, not ``style``
attributes, which the strict content security policy would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
LABEL_WIDTH = 220
VALUE_WIDTH = 90
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 12
TOP = 8
LEGEND_HEIGHT = 24
FONT = 12  # px; a CJK character is about this wide, a Latin one a little over half
PALETTE = ("#0b4f9c", "#1e6b2f", "#a3121b", "#7a4b00")


@dataclass(frozen=True)
class Bar:
    """One bar: its value (None: nothing to show), the text of the figure and its drill-down link."""

    value: float | None
    text: str
    href: str = ""


@dataclass(frozen=True)
class Group:
    """One label with one bar per series."""

    label: str
    bars: Sequence[Bar]


@dataclass
class Chart:
    """A chart: its SVG and the same figures as a table (``series`` are the columns)."""

    chart_id: str
    title: str
    description: str
    series: Sequence[str]
    groups: Sequence[Group]
    maximum: float | None = None
    svg: SafeString = field(init=False)

    def __post_init__(self) -> None:
        self.svg = render_svg(self)


def text_width(text: str) -> float:
    """An estimate of the text's width in pixels (no font metrics on the server)."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in text)


def _short(label: str, room: float = LABEL_WIDTH - 10) -> str:
    if text_width(label) <= room:
        return label
    out = ""
    for ch in label:
        if text_width(out + ch + "…") > room:
            break
        out += ch
    return out + "…"


def _scale(chart: Chart) -> float:
    values = [b.value for g in chart.groups for b in g.bars if b.value is not None]
    top = chart.maximum if chart.maximum is not None else max(values, default=0)
    return float(top) or 1.0


def render_svg(chart: Chart) -> SafeString:
    """The chart as one ``<svg>`` element; every text is escaped."""
    n_series = max(len(chart.series), 1)
    group_height = n_series * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + GROUP_GAP
    legend = LEGEND_HEIGHT if n_series > 1 else 0
    height = TOP + legend + max(len(chart.groups), 1) * group_height
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = _scale(chart)
    cid = escape(chart.chart_id)
    # An image's content is presentational: with links on its bars the chart is a group instead,
    # so the links stay reachable (axe: nested-interactive).
    role = "group" if any(bar.href for group in chart.groups for bar in group.bars) else "img"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="{role}" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>',
    ]
    if legend:
        x = LABEL_WIDTH
        for i, name in enumerate(chart.series):
            colour = PALETTE[i % len(PALETTE)]
            out.append(f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{colour}"/>')
            out.append(
                f'<text x="{x + 16}" y="{TOP + 11}" font-size="12" fill="#1b1b1b">{escape(name)}</text>'
            )
            x += 32 + text_width(name)
    y = TOP + legend
    for group in chart.groups:
        mid = y + (group_height - GROUP_GAP) / 2 + 4
        out.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{mid:.0f}" font-size="12" text-anchor="end" fill="#1b1b1b">'
            f"<title>{escape(group.label)}</title>{escape(_short(group.label))}</text>"
        )
        for i, bar in enumerate(group.bars):
            colour = PALETTE[i % len(PALETTE)]
            width = 0.0 if bar.value is None else max(0.0, min(1.0, float(bar.value) / top)) * area
            name = chart.series[i] if i < len(chart.series) else ""
            tip = escape(f"{group.label} · {name}: {bar.text}" if name else f"{group.label}: {bar.text}")
            shape = (
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{colour}">'
                f"<title>{tip}</title></rect>"
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR_HEIGHT - 4}" font-size="12" '
                f'fill="#1b1b1b">{escape(bar.text)}</text>'
            )
            if bar.href:
                shape = f'<a href="{escape(bar.href)}">{shape}</a>'
            out.append(shape)
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP + legend}" x2="{LABEL_WIDTH}" y2="{height}" stroke="#4a4a4a"/>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every interpolated text above is escaped)
