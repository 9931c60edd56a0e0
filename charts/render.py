"""Draw prepared plots into PNG bytes, ~1080 px wide, readable on a phone.

matplotlib is imported inside the functions (importing it costs ~0.7 s, so never at start-up)
and only through its object-oriented API: every call builds its own ``Figure`` on its own
``FigureCanvasAgg`` and touches no global state (no pyplot, no rcParams), so renders may run
concurrently in a thread pool.

Layout is computed in pixels from measured text, top to bottom: title, subtitle, legend,
column headers, plot, axis labels.  The figure height follows the number of bars; the width
is always :data:`charts.style.WIDTH_PX`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from charts.data import DayActivity, LatenessRow, PromiseStatusCounts, ReachRow
from charts.labels import WEEKDAY_KEYS, ChartLabels, text
from charts.prepare import (
    LatenessPlot,
    ReachPlot,
    ScorecardPlot,
    WeeklyPlot,
    prepare_lateness,
    prepare_reach,
    prepare_scorecard,
    prepare_weekly,
)
from charts.style import (
    DPI,
    GRID_COLOUR,
    LABEL_SIZE,
    LEGEND_SIZE,
    MUTED_TEXT_COLOUR,
    NOTE_SIZE,
    OTHERS_ALPHA,
    STATUS_COLOURS,
    SUBTITLE_SIZE,
    TEXT_COLOUR,
    TICK_SIZE,
    TITLE_SIZE,
    VALUE_SIZE,
    WIDTH_IN,
    WIDTH_PX,
    text_colour_on,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
    from matplotlib.figure import Figure

FONT = "DejaVu Sans"  # bundled with matplotlib; has Cyrillic
MARGIN = 28  # px, left and right edge of the image
PT = DPI / 72  # px per point
BAR_PITCH = 62  # px per horizontal bar
BAR_HEIGHT = 0.74  # share of the pitch a bar fills
COLUMN_GAP = 18  # px between the plot and a value column, and between columns


def _px(points: float) -> float:
    return points * PT


def _line(points: float) -> float:
    """Line height in px of text set at ``points``."""
    return points * PT * 1.3


def _percent(labels: ChartLabels, share: float) -> str:
    return text(labels, "chart.percent", value=round(share * 100))


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")  # narrow no-break space groups thousands


# ----------------------------------------------------------------------------- the sheet

# Text widths depend only on text, size and weight (the dpi is fixed), so all threads can share
# them; a lost race just measures twice.
_WIDTHS: dict[tuple[str, float, bool], float] = {}


def _segment_label(ax: Any, x: float, y: float, label: str, colour: str) -> None:
    """A count centred in a bar segment, in a colour readable on the segment."""
    ax.text(
        x,
        y,
        label,
        ha="center",
        va="center_baseline",
        fontsize=VALUE_SIZE,
        fontfamily=FONT,
        fontweight="bold",
        color=text_colour_on(colour),
    )


class _Sheet:
    """A figure 1080 px wide, laid out top-down in pixels, with text measurement."""

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties

        self._font_properties = FontProperties
        self.fig: Figure = Figure(figsize=(WIDTH_IN, 8.0), dpi=DPI, facecolor="white")
        self.canvas: FigureCanvasAgg = FigureCanvasAgg(self.fig)
        self._renderer: RendererAgg = self.canvas.get_renderer()  # type: ignore[no-untyped-call]
        self.height = 0.0  # px, fixed by finish_layout()
        self.y = 24.0  # px from the top where the next block starts

    # --- measuring
    def width_of(self, s: str, points: float, *, bold: bool = False) -> float:
        """Width in px of single- or multi-line text."""
        key = (s, points, bold)
        width = _WIDTHS.get(key)
        if width is None:
            prop = self._font_properties(
                family=FONT, size=points, weight="bold" if bold else "normal"
            )
            measure = self._renderer.get_text_width_height_descent
            width = max(
                float(measure(line, prop, ismath=False)[0])  # type: ignore[no-untyped-call]
                for line in s.split("\n")
            )
            if len(_WIDTHS) < 20_000:
                _WIDTHS[key] = width
        return width

    def wrap(self, s: str, points: float, max_px: float, *, bold: bool = False) -> str:
        """Greedy word wrap of ``s`` to ``max_px``."""
        lines: list[str] = []
        for paragraph in s.split("\n"):
            current = ""
            for word in paragraph.split(" "):
                candidate = f"{current} {word}" if current else word
                if current and self.width_of(candidate, points, bold=bold) > max_px:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
            lines.append(current)
        return "\n".join(lines)

    # --- placing; coordinates are px from the top-left corner until finish_layout()
    def finish_layout(self, height_px: float) -> None:
        self.height = height_px
        self.fig.set_size_inches(WIDTH_IN, height_px / DPI)

    def fy(self, y_px: float) -> float:
        return 1 - y_px / self.height

    def fx(self, x_px: float) -> float:
        return x_px / WIDTH_PX

    def axes(self, left: float, top: float, right: float, bottom: float) -> Axes:
        """Add axes spanning the given px box (right/bottom measured from the top-left)."""
        ax = self.fig.add_axes(
            (
                self.fx(left),
                self.fy(bottom),
                (right - left) / WIDTH_PX,
                (bottom - top) / self.height,
            )
        )
        ax.set_facecolor("white")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#888888")
        ax.tick_params(colors=TEXT_COLOUR, labelsize=TICK_SIZE, length=0, pad=8)
        return ax

    def put(self, x_px: float, y_px: float, s: str, points: float, **kw: Any) -> None:
        kw.setdefault("va", "top")
        kw.setdefault("color", TEXT_COLOUR)
        self.fig.text(self.fx(x_px), self.fy(y_px), s, fontsize=points, fontfamily=FONT, **kw)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.canvas.print_png(  # type: ignore[no-untyped-call]
            buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 1}
        )
        return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class _Header:
    title: str
    subtitle: str
    legend: list[tuple[str, str, str]]  # (colour, text, marker: "s" square, "o" dot, "|")


@dataclass(slots=True)
class _HeaderLayout:
    title: str
    subtitle: str
    legend_rows: list[list[tuple[float, str, str, str]]]  # (x px, colour, text, marker)
    height: float


_LEGEND_KEY = 26.0  # px, size of a legend swatch
_LEGEND_GAP = 30.0  # px between legend items


def _layout_header(sheet: _Sheet, header: _Header) -> _HeaderLayout:
    width = WIDTH_PX - 2 * MARGIN
    title = sheet.wrap(header.title, TITLE_SIZE, width, bold=True)
    subtitle = sheet.wrap(header.subtitle, SUBTITLE_SIZE, width) if header.subtitle else ""
    rows: list[list[tuple[float, str, str, str]]] = [[]]
    x = float(MARGIN)
    for colour, label, marker in header.legend:
        item = _LEGEND_KEY + 10 + sheet.width_of(label, LEGEND_SIZE)
        if rows[-1] and x + item > WIDTH_PX - MARGIN:
            rows.append([])
            x = MARGIN
        rows[-1].append((x, colour, label, marker))
        x += item + _LEGEND_GAP
    height = _line(TITLE_SIZE) * (title.count("\n") + 1) + 6
    if subtitle:
        height += _line(SUBTITLE_SIZE) * (subtitle.count("\n") + 1)
    if header.legend:
        height += 18 + len(rows) * (_line(LEGEND_SIZE) + 8)
    return _HeaderLayout(title, subtitle, rows if header.legend else [], height)


def _draw_header(sheet: _Sheet, layout: _HeaderLayout, top: float) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    y = top
    sheet.put(MARGIN, y, layout.title, TITLE_SIZE, fontweight="bold", linespacing=1.15)
    y += _line(TITLE_SIZE) * (layout.title.count("\n") + 1) + 6
    if layout.subtitle:
        sheet.put(
            MARGIN, y, layout.subtitle, SUBTITLE_SIZE, color=MUTED_TEXT_COLOUR, linespacing=1.2
        )
        y += _line(SUBTITLE_SIZE) * (layout.subtitle.count("\n") + 1)
    if not layout.legend_rows:
        return
    y += 18
    for row in layout.legend_rows:
        centre = y + _line(LEGEND_SIZE) / 2
        for x, colour, label, marker in row:
            left, bottom = sheet.fx(x), sheet.fy(centre + _LEGEND_KEY / 2)
            w, h = _LEGEND_KEY / WIDTH_PX, _LEGEND_KEY / sheet.height
            if marker == "s":
                sheet.fig.add_artist(
                    Rectangle((left, bottom), w, h, transform=sheet.fig.transFigure, color=colour)
                )
            elif marker == "o":
                sheet.fig.add_artist(
                    Line2D(
                        [left + w / 2],
                        [bottom + h / 2],
                        transform=sheet.fig.transFigure,
                        marker="o",
                        markersize=11,
                        color=colour,
                        markeredgecolor="white",
                    )
                )
            else:
                sheet.fig.add_artist(
                    Line2D(
                        [left + w / 2] * 2,
                        [bottom, bottom + h],
                        transform=sheet.fig.transFigure,
                        color=colour,
                        linewidth=3,
                    )
                )
            sheet.put(x + _LEGEND_KEY + 10, centre, label, LEGEND_SIZE, va="center_baseline")
        y += _line(LEGEND_SIZE) + 8


# ------------------------------------------------------------- horizontal bar charts


@dataclass(frozen=True, slots=True)
class _Column:
    """A column of values printed to the right of the bars."""

    header: str
    values: list[str]
    colour: str = TEXT_COLOUR
    bold: bool = False
    muted: frozenset[int] = frozenset()  # rows whose value is drawn grey and plain (zeros)


@dataclass(slots=True)
class _RowsLayout:
    """Geometry of a chart with one row per company, names on the left, columns on the right."""

    names: list[str]
    name_width: float
    columns: list[tuple[_Column, float]]  # with each column's width
    header_height: float

    @property
    def plot_left(self) -> float:
        return MARGIN + self.name_width + 14

    @property
    def plot_right(self) -> float:
        used = sum(width + COLUMN_GAP for _, width in self.columns)
        return WIDTH_PX - MARGIN - used - (10 if self.columns else 0)


def _layout_rows(sheet: _Sheet, names: list[str], columns: list[_Column]) -> _RowsLayout:
    name_width = max(sheet.width_of(n, TICK_SIZE) for n in names)
    measured: list[tuple[_Column, float]] = []
    header_lines = 0
    for column in columns:
        widest_value = max(
            (sheet.width_of(v, VALUE_SIZE, bold=column.bold) for v in column.values),
            default=0.0,
        )
        header = column.header
        width = max(widest_value, sheet.width_of(header, VALUE_SIZE))
        # A long header wraps rather than squeeze the plot, unless the translator already
        # chose where its lines break.
        if "\n" not in header and width > max(widest_value, 120):
            header = sheet.wrap(header, VALUE_SIZE, max(120.0, widest_value))
            width = max(widest_value, sheet.width_of(header, VALUE_SIZE))
        header_lines = max(header_lines, header.count("\n") + 1)
        measured.append(
            (_Column(header, column.values, column.colour, column.bold, column.muted), width)
        )
    header_height = header_lines * _line(VALUE_SIZE) + 10 if columns else 0.0
    return _RowsLayout(names, name_width, measured, header_height)


def _draw_columns(sheet: _Sheet, rows: _RowsLayout, plot_top: float, pitch: float) -> None:
    x = rows.plot_right + 10 + COLUMN_GAP
    for column, width in rows.columns:
        centre_x = x + width / 2
        sheet.put(
            centre_x,
            plot_top - 8,
            column.header,
            VALUE_SIZE,
            ha="center",
            va="bottom",
            color=MUTED_TEXT_COLOUR,
            linespacing=1.1,
        )
        for i, value in enumerate(column.values):
            muted = i in column.muted
            sheet.put(
                centre_x,
                plot_top + (i + 0.5) * pitch,
                value,
                VALUE_SIZE,
                ha="center",
                va="center_baseline",
                color=MUTED_TEXT_COLOUR if muted else column.colour,
                fontweight="bold" if column.bold and not muted else "normal",
            )
        x += width + COLUMN_GAP


def _stacked_barh(
    sheet: _Sheet,
    ax: Axes,
    counts: Sequence[Sequence[int]],
    colours: Sequence[str],
    others_index: int | None,
    labels: ChartLabels,
) -> None:
    """Draw 100 % stacked bars (row i at y = i, top to bottom), each segment labelled."""
    from matplotlib.colors import to_rgba

    n = len(counts)
    plot_width = ax.get_position().width * WIDTH_PX
    totals = [sum(row) for row in counts]
    lefts = [0.0] * n
    for j, colour in enumerate(colours):
        # one barh call per status: a call per segment costs ~1 ms each
        rows = [i for i in range(n) if counts[i][j]]
        shares = [counts[i][j] / totals[i] for i in rows]
        ax.barh(
            rows,
            shares,
            left=[lefts[i] for i in rows],
            height=BAR_HEIGHT,
            color=[to_rgba(colour, OTHERS_ALPHA if i == others_index else 1.0) for i in rows],
            edgecolor="white",
            linewidth=1.5,
        )
        for i, share in zip(rows, shares, strict=True):
            label = _count(counts[i][j])
            if share * plot_width >= sheet.width_of(label, VALUE_SIZE, bold=True) + 10:
                _segment_label(ax, lefts[i] + share / 2, i, label, colour)
            lefts[i] += share
    ax.set_xlim(0, 1)
    ax.set_ylim(n - 0.5, -0.5)

    def tick_label(share: float) -> str:
        return _percent(labels, share) if share else "0"

    ticks = _fitting_ticks(sheet, ax, (0.0, 1.0, 0.5, (0.25, 0.75)), tick_label, TICK_SIZE)
    ax.set_xticks(ticks, [tick_label(t) for t in ticks], fontfamily=FONT, fontsize=TICK_SIZE)
    ax.xaxis.grid(True, color=GRID_COLOUR, linewidth=1)
    ax.set_axisbelow(True)


def _name_ticks(ax: Axes, names: Sequence[str], others_index: int | None) -> None:
    ax.set_yticks(range(len(names)), names, fontsize=TICK_SIZE, fontfamily=FONT)
    if others_index is not None:
        tick = ax.get_yticklabels()[others_index]
        tick.set_fontstyle("italic")
        tick.set_color(MUTED_TEXT_COLOUR)
        ax.axhline(others_index - 0.5, color="#AAAAAA", linewidth=1, linestyle=(0, (4, 3)))


def _bar_chart(
    header: _Header,
    names: list[str],
    others_index: int | None,
    columns: list[_Column],
    xlabel: str,
    draw: Callable[[_Sheet, Axes], None],
    note: str = "",
) -> bytes:
    """Lay out and draw a chart with one horizontal row per company."""
    sheet = _Sheet()
    head = _layout_header(sheet, header)
    rows = _layout_rows(sheet, names, columns)
    plot_top = sheet.y + head.height + 22 + max(rows.header_height, 8)
    plot_height = len(names) * BAR_PITCH
    # the axis label is centred under the plot and must not run off the image
    centre = (rows.plot_left + rows.plot_right) / 2
    xlabel = sheet.wrap(xlabel, LABEL_SIZE, 2 * min(centre - MARGIN, WIDTH_PX - MARGIN - centre))
    note = sheet.wrap(note, NOTE_SIZE, WIDTH_PX - 2 * MARGIN) if note else ""
    xlabel_top = plot_top + plot_height + _px(TICK_SIZE) + 22
    note_top = xlabel_top + _line(LABEL_SIZE) * (xlabel.count("\n") + 1) + 10
    bottom = note_top + (_line(NOTE_SIZE) * (note.count("\n") + 1) if note else 0) + 20
    sheet.finish_layout(bottom)
    _draw_header(sheet, head, sheet.y)
    ax = sheet.axes(rows.plot_left, plot_top, rows.plot_right, plot_top + plot_height)
    _name_ticks(ax, names, others_index)
    draw(sheet, ax)
    sheet.put(centre, xlabel_top, xlabel, LABEL_SIZE, ha="center", color=MUTED_TEXT_COLOUR)
    if note:
        sheet.put(MARGIN, note_top, note, NOTE_SIZE, color=MUTED_TEXT_COLOUR)
    _draw_columns(sheet, rows, plot_top, BAR_PITCH)
    return sheet.png()


def _others_name(labels: ChartLabels, count: int) -> str:
    return text(labels, "chart.others", count=count)


# ------------------------------------------------------------------------ 1. scorecard


def draw_scorecard(plot: ScorecardPlot, labels: ChartLabels, *, period: str) -> bytes:
    """Draw a prepared scorecard: one 100 % stacked bar of promise statuses per company."""
    totals = plot.totals
    bad = totals["broken"] + totals["overdue"]
    header = _Header(
        title=text(labels, "chart.scorecard_title", period=period),
        subtitle=text(
            labels,
            "chart.scorecard_subtitle",
            total=_count(plot.total),
            bad=_count(bad),
            bad_pct=_percent(labels, bad / plot.total),
            **{status: _count(n) for status, n in totals.items()},
        ),
        legend=[
            (colour, text(labels, f"chart.status_{status}"), "s")
            for status, colour in zip(plot.statuses, plot.colours, strict=True)
        ],
    )
    others = next((i for i, b in enumerate(plot.bars) if b.is_others), None)
    names = [_others_name(labels, len(b.companies)) if b.is_others else b.label for b in plot.bars]
    column = _Column(text(labels, "chart.col_total"), [_count(b.total) for b in plot.bars])

    def draw(sheet: _Sheet, ax: Axes) -> None:
        _stacked_barh(sheet, ax, [b.counts for b in plot.bars], plot.colours, others, labels)

    return _bar_chart(
        header, names, others, [column], text(labels, "chart.scorecard_xlabel"), draw
    )


def render_scorecard(
    rows: Sequence[PromiseStatusCounts], labels: ChartLabels, *, period: str
) -> bytes:
    """PNG of "who never called back"; raises :class:`charts.NoData` when there are no promises."""
    return draw_scorecard(prepare_scorecard(rows), labels, period=period)


# ----------------------------------------------------------------- 2. getting through


def _median_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def draw_reach(plot: ReachPlot, labels: ChartLabels, *, period: str) -> bytes:
    """Draw a prepared getting-through chart: attempts split by how they ended."""
    header = _Header(
        title=text(labels, "chart.reach_title", period=period),
        subtitle=text(
            labels,
            "chart.reach_subtitle",
            total=_count(plot.total_attempts),
            answered=_count(plot.total_answered),
            answered_pct=_percent(labels, plot.total_answered / plot.total_attempts),
            companies=_count(plot.companies),
        ),
        legend=[
            (colour, text(labels, f"chart.reach_{segment}"), "s")
            for segment, colour in zip(plot.segments, plot.colours, strict=True)
        ],
    )
    others = next((i for i, b in enumerate(plot.bars) if b.is_others), None)
    names = [_others_name(labels, len(b.companies)) if b.is_others else b.label for b in plot.bars]
    columns = [
        _Column(text(labels, "chart.col_attempts"), [_count(b.attempts) for b in plot.bars]),
        _Column(
            text(labels, "chart.col_median_tries"),
            [_median_text(b.median_attempts_to_answer) for b in plot.bars],
            bold=True,
        ),
    ]

    def draw(sheet: _Sheet, ax: Axes) -> None:
        _stacked_barh(sheet, ax, [b.counts for b in plot.bars], plot.colours, others, labels)

    return _bar_chart(
        header,
        names,
        others,
        columns,
        text(labels, "chart.reach_xlabel"),
        draw,
        note=text(labels, "chart.reach_note"),
    )


def render_reach(rows: Sequence[ReachRow], labels: ChartLabels, *, period: str) -> bytes:
    """PNG of "getting through"; raises :class:`charts.NoData` when nobody was called."""
    return draw_reach(prepare_reach(rows), labels, period=period)


# ------------------------------------------------------------------------- 3. how late

_AXIS_TICK_SIZE = 11.5

# Candidate ticks of the how-late axis (hours), most wanted first; kept while they fit.
_HOUR_TICKS = (0.0, 24.0, 1.0, 168.0, -1.0, 6.0, 72.0, 720.0, -24.0, 336.0, -6.0, 2160.0, -168.0)


def _hours_text(labels: ChartLabels, hours: float) -> str:
    if hours == 0:
        return "0"
    sign = "−" if hours < 0 else ""
    magnitude = abs(hours)
    if magnitude < 24:
        return sign + text(labels, "chart.unit_hours", n=f"{magnitude:.0f}")
    return sign + text(labels, "chart.unit_days", n=f"{magnitude / 24:.0f}")


def _fitting_ticks(
    sheet: _Sheet,
    ax: Axes,
    candidates: Sequence[float | tuple[float, ...]],
    label: Callable[[float], str],
    points: float,
) -> list[float]:
    """Keep the candidate x ticks, in order of preference, whose labels do not collide.

    A tuple of ticks is kept or dropped as a whole (25 % and 75 % only together).
    """
    low, high = ax.get_xlim()
    left, right = ax.transData.transform([(low, 0), (high, 0)])[:, 0]
    taken: list[tuple[float, float]] = []
    kept: list[float] = []
    for group in candidates:
        ticks = group if isinstance(group, tuple) else (group,)
        spans = []
        for tick in ticks:
            x = float(ax.transData.transform([(tick, 0)])[0, 0])
            half = sheet.width_of(label(tick), points) / 2 + 7
            spans.append((x - half, x + half))
        fits = all(
            low <= tick <= high and a >= left - 30 and b <= right + 60
            for tick, (a, b) in zip(ticks, spans, strict=True)
        )
        if fits and all(b <= c or a >= d for a, b in spans for c, d in taken):
            taken += spans
            kept += ticks
    return sorted(kept)


def _jitter(count: int) -> list[float]:
    """Deterministic vertical offsets that spread points of one row (golden-ratio sequence)."""
    return [((i * 0.6180339887) % 1.0 - 0.5) * 0.56 for i in range(count)]


def draw_lateness(plot: LatenessPlot, labels: ChartLabels, *, period: str) -> bytes:
    """Draw a prepared how-late chart: one strip of callback delays per company."""
    colours = plot.colours
    header = _Header(
        title=text(labels, "chart.lateness_title", period=period),
        subtitle=text(
            labels,
            "chart.lateness_subtitle",
            total=_count(plot.on_time + plot.late + plot.never),
            on_time=_count(plot.on_time),
            late=_count(plot.late),
            never=_count(plot.never),
        ),
        legend=[
            (colours["on_time"], text(labels, "chart.lateness_on_time"), "o"),
            (colours["late"], text(labels, "chart.lateness_late"), "o"),
            (TEXT_COLOUR, text(labels, "chart.lateness_median"), "|"),
        ],
    )
    others = next((i for i, s in enumerate(plot.strips) if s.is_others), None)
    names = [
        _others_name(labels, len(s.companies)) if s.is_others else s.label for s in plot.strips
    ]
    never = _Column(
        text(labels, "chart.never"),
        [_count(s.never) if s.never else "—" for s in plot.strips],
        colour=colours["never"],
        bold=True,
        muted=frozenset(i for i, s in enumerate(plot.strips) if not s.never),
    )
    low = min(plot.min_hours * 1.6, -2.0)
    high = max(plot.max_hours * 1.6, 48.0)

    def draw(sheet: _Sheet, ax: Axes) -> None:
        from matplotlib.colors import to_rgba

        ax.set_xscale("symlog", linthresh=1.0, linscale=0.6)
        ax.set_xlim(low, high)
        ax.set_ylim(len(plot.strips) - 0.5, -0.5)
        ax.axvspan(low, 0, color=colours["on_time"], alpha=0.07, linewidth=0)
        ax.axvline(0, color=TEXT_COLOUR, linewidth=1.5)
        xs: list[float] = []
        ys: list[float] = []
        point_colours: list[tuple[float, float, float, float]] = []
        medians: list[tuple[float, int]] = []
        for i, strip in enumerate(plot.strips):
            alpha = OTHERS_ALPHA if i == others else 0.9
            on_time, late = to_rgba(colours["on_time"], alpha), to_rgba(colours["late"], alpha)
            xs += strip.delays_hours
            ys += [i + dy for dy in _jitter(len(strip.delays_hours))]
            point_colours += [on_time if x <= 0 else late for x in strip.delays_hours]
            if strip.median_hours is not None:
                medians.append((strip.median_hours, i))
        # one call for all points and one for all medians, not one per company
        ax.scatter(xs, ys, s=70, c=point_colours, edgecolors="white", linewidths=0.8)
        ax.vlines(
            [m for m, _ in medians],
            [i - 0.36 for _, i in medians],
            [i + 0.36 for _, i in medians],
            color=TEXT_COLOUR,
            linewidth=3,
        )

        def tick_label(hours: float) -> str:
            return _hours_text(labels, hours)

        ticks = _fitting_ticks(sheet, ax, _HOUR_TICKS, tick_label, _AXIS_TICK_SIZE)
        ax.set_xticks(
            ticks, [tick_label(t) for t in ticks], fontfamily=FONT, fontsize=_AXIS_TICK_SIZE
        )
        ax.annotate(
            text(labels, "chart.deadline"),
            xy=(0, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 8),
            textcoords="offset pixels",
            ha="center",
            va="bottom",
            fontsize=VALUE_SIZE,
            fontfamily=FONT,
            color=TEXT_COLOUR,
            annotation_clip=False,
        )
        ax.xaxis.grid(True, color=GRID_COLOUR, linewidth=1)
        ax.yaxis.grid(True, color="#F0F0F0", linewidth=1)
        ax.set_axisbelow(True)
        ax.minorticks_off()

    return _bar_chart(header, names, others, [never], text(labels, "chart.lateness_xlabel"), draw)


def render_lateness(rows: Sequence[LatenessRow], labels: ChartLabels, *, period: str) -> bytes:
    """PNG of "how late"; raises :class:`charts.NoData` when no promise had a deadline."""
    return draw_lateness(prepare_lateness(rows), labels, period=period)


# ------------------------------------------------------------------ 4. weekly activity


def _date_text(labels: ChartLabels, day: date) -> str:
    return text(labels, "chart.date_short", day=day.day, month=day.month)


def draw_weekly(plot: WeeklyPlot, labels: ChartLabels) -> bytes:
    """Draw a prepared weekly chart: attempts per day stacked by outcome, broken promises below."""
    days = plot.days
    n = len(days)
    attempts = plot.attempts
    header = _Header(
        title=text(
            labels,
            "chart.weekly_title",
            start=_date_text(labels, days[0]),
            end=_date_text(labels, days[-1]),
        ),
        subtitle=text(
            labels,
            "chart.weekly_subtitle",
            total=_count(plot.total_attempts),
            answered=_count(plot.total_answered),
            answered_pct=_percent(
                labels, plot.total_answered / plot.total_attempts if plot.total_attempts else 0
            ),
            broken=_count(plot.total_broken),
        ),
        legend=[
            (colour, text(labels, f"chart.outcome_{outcome}"), "s")
            for outcome, colour in zip(plot.outcomes, plot.colours, strict=True)
        ],
    )
    from matplotlib.ticker import MaxNLocator

    sheet = _Sheet()
    head = _layout_header(sheet, header)

    if n <= 14:
        ticks = [
            f"{text(labels, WEEKDAY_KEYS[d.weekday()])}\n{_date_text(labels, d)}" for d in days
        ]
    else:  # a long span: dates only, thinned to fit
        step = math.ceil(n / 10)
        ticks = [_date_text(labels, d) if i % step == 0 else "" for i, d in enumerate(days)]
    tick_lines = max(t.count("\n") + 1 for t in ticks)

    ylabel = text(labels, "chart.weekly_ylabel")
    left = MARGIN + _px(LABEL_SIZE) * 1.4 + sheet.width_of(_count(max(attempts, default=0)), 11)
    right = WIDTH_PX - MARGIN
    main_top = sheet.y + head.height + 40
    main_height = 560.0
    strip_title_top = main_top + main_height + 22
    strip_top = strip_title_top + _line(LABEL_SIZE) + 8
    strip_height = 120.0
    sheet.finish_layout(strip_top + strip_height + tick_lines * _line(TICK_SIZE) + 40)
    _draw_header(sheet, head, sheet.y)

    width_px = (right - left) / n
    xs = list(range(n))
    main = sheet.axes(left, main_top, right, main_top + main_height)
    peak = max(max(attempts, default=0), 1)
    main.set_ylim(0, peak * 1.15)
    main.set_xlim(-0.5, n - 0.5)
    px_per_unit = main_height / (peak * 1.15)
    bottom = [0.0] * n
    for outcome, colour in zip(plot.outcomes, plot.colours, strict=True):
        values = plot.counts[outcome]
        main.bar(xs, values, bottom=bottom, width=0.72, color=colour, edgecolor="white")
        for i, value in enumerate(values):
            label = _count(value)
            fits = (
                value * px_per_unit >= _px(VALUE_SIZE) + 6
                and width_px * 0.72 >= sheet.width_of(label, VALUE_SIZE, bold=True) + 6
            )
            if value and fits:
                _segment_label(main, i, bottom[i] + value / 2, label, colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for i, total in enumerate(attempts):
        if width_px >= sheet.width_of(_count(total), VALUE_SIZE, bold=True):
            main.text(
                i,
                total + peak * 0.02,
                _count(total),
                ha="center",
                va="bottom",
                fontsize=VALUE_SIZE,
                fontfamily=FONT,
                fontweight="bold" if total else "normal",
                color=TEXT_COLOUR if total else MUTED_TEXT_COLOUR,
            )
    main.set_xticks(xs, [""] * n)
    main.yaxis.grid(True, color=GRID_COLOUR, linewidth=1)
    main.set_axisbelow(True)
    main.set_ylabel(ylabel, fontsize=LABEL_SIZE, fontfamily=FONT, color=MUTED_TEXT_COLOUR)
    main.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    for tick in main.get_yticklabels():
        tick.set_fontfamily(FONT)
        tick.set_fontsize(11)

    broken_colour = STATUS_COLOURS["broken"]
    sheet.put(
        left,
        strip_title_top,
        text(labels, "chart.weekly_broken"),
        LABEL_SIZE,
        color=broken_colour,
        fontweight="bold",
    )
    strip = sheet.axes(left, strip_top, right, strip_top + strip_height)
    top_broken = max(max(plot.broken), 1)
    strip.bar(xs, plot.broken, width=0.5, color=broken_colour)
    strip.set_ylim(0, top_broken * 1.6)
    strip.set_xlim(-0.5, n - 0.5)
    strip.set_yticks([])
    strip.spines["left"].set_visible(False)
    for i, value in enumerate(plot.broken):
        strip.text(
            i,
            value + top_broken * 0.05,
            _count(value),
            ha="center",
            va="bottom",
            fontsize=VALUE_SIZE,
            fontfamily=FONT,
            fontweight="bold" if value else "normal",
            color=broken_colour if value else MUTED_TEXT_COLOUR,
        )
    strip.set_xticks(xs, ticks, fontfamily=FONT, fontsize=TICK_SIZE, linespacing=1.25)
    return sheet.png()


def render_weekly_activity(days: Sequence[DayActivity], labels: ChartLabels) -> bytes:
    """PNG of calls per day; raises :class:`charts.NoData` when there is nothing to show."""
    return draw_weekly(prepare_weekly(days), labels)


def warm_up() -> None:
    """Import matplotlib and load the font once, e.g. in a thread at start-up.

    The first chart otherwise pays ~0.7 s of imports (more on a fresh font cache).
    """
    sheet = _Sheet()
    sheet.width_of("Кто не перезвонил", TITLE_SIZE, bold=True)
    sheet.width_of("Кто не перезвонил", TICK_SIZE)
    sheet.finish_layout(200)
    sheet.png()
