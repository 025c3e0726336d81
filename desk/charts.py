"""Bar charts as inline SVG, drawn on the server: the dashboard needs no JavaScript and no file
from anywhere else, and reads the same with scripts off.

One function draws every chart of the dashboard: grouped bars (created vs closed, p50 vs p90)
or stacked bars (the backlog by status), with a y axis of round steps, the x labels thinned to
fit, a legend, a `<title>` tooltip on every bar and the chart's title and summary as its
accessible name and description (`role="img"`). The numbers themselves are in the table the
page shows under each chart. Every text is escaped here, since labels may come from data.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 38, 40
FONT_SIZE = 13
# The most x labels that fit under the bars without overlapping.
MAX_X_LABELS = 8
AXIS_COLOUR, GRID_COLOUR, TEXT_COLOUR = "#767676", "#e0e0e0", "#333333"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None: no value (drawn as no bar)
    colour: str


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `value` (1 for 0), so
    the axis steps are round."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _ticks(top: float) -> list[float]:
    """Round steps from 0 to `top` (a `nice_ceiling`): quarters of 1 and 2, fifths of 2.5 and 5."""
    leading = top / 10 ** math.floor(math.log10(top))
    steps = 4 if leading in (1, 2) else 5
    return [top * part / steps for part in range(steps + 1)]


def _text(x: float, y: float, content: str, anchor: str = "start") -> str:
    """A text element; `content` is escaped."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_SIZE}" '
        f'fill="{TEXT_COLOUR}">{escape(content)}</text>'
    )


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    format_value: Callable[[float], str] = _number,
    y_max: float | None = None,
) -> SafeString:
    """An SVG bar chart of `series` over `labels` (all escaped). `y_max` fixes the axis (a rating
    out of 5, a percentage); otherwise it is the rounded-up largest bar (or stack)."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    heights = [
        sum(s.values[i] or 0 for s in series)
        if stacked
        else max((s.values[i] or 0 for s in series), default=0)
        for i in range(len(labels))
    ]
    top = y_max if y_max is not None else nice_ceiling(max(heights, default=0))
    slot = plot_width / max(len(labels), 1)
    bar_width = slot * 0.8 if stacked else slot * 0.8 / max(len(series), 1)

    def y_of(value: float) -> float:
        return TOP + plot_height - plot_height * min(value, top) / top

    parts = [
        f'<svg class="desk-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for tick in _ticks(top):
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
            + _text(LEFT - 6, y + 4, format_value(tick), anchor="end")
        )
    every = math.ceil(len(labels) / MAX_X_LABELS) if labels else 1
    for index, label in enumerate(labels):
        x = LEFT + slot * index + slot * 0.1
        base = 0.0
        for number, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            left = x if stacked else x + bar_width * number
            bottom = base if stacked else 0.0
            y_top, y_bottom = y_of(bottom + value), y_of(bottom)
            parts.append(
                f'<rect x="{left:.1f}" y="{y_top:.1f}" width="{max(bar_width - 1, 1):.1f}" '
                f'height="{y_bottom - y_top:.1f}" fill="{one.colour}">'
                f"<title>{escape(label)}: {escape(one.name)} {escape(format_value(value))}</title></rect>"
            )
            if stacked:
                base += value
        if index % every == 0:
            parts.append(_text(LEFT + slot * (index + 0.5), HEIGHT - BOTTOM + 18, label, anchor="middle"))
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" '
        f'stroke="{AXIS_COLOUR}"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_height}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    x = float(LEFT)
    for one in series:
        parts.append(
            f'<rect x="{x:.1f}" y="8" width="12" height="12" fill="{one.colour}"/>'
            + _text(x + 16, 19, one.name)
        )
        x += 16 + 0.6 * FONT_SIZE * len(one.name) + 18
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
