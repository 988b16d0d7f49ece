"""Charts of the HTML report, rendered off-screen to PNG ``data:`` URIs.

Uses matplotlib's object API (``Figure`` draws on the Agg canvas), so no GUI backend and no
pyplot global state are involved. Labels are drawn with ``text.parse_math`` off, so ``$`` in
data-derived text is shown as is.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

KEPT, REJECTED, OTHER = "#4477aa", "#ee6677", "#bbbbbb"
THRESHOLD = "#222222"
#: A count axis is logarithmic when its largest count is at least this many times its smallest
#: non-zero one (two orders of magnitude): then a few documents still show beside thousands.
LOG_RATIO = 100
_THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")
_RC = {
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def to_data_uri(figure: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (no timestamp/software metadata)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def spans_magnitudes(counts: Sequence[float] | np.ndarray) -> bool:
    """Whether non-zero ``counts`` span :data:`LOG_RATIO` or more."""
    nonzero = np.asarray(counts, dtype=float)
    nonzero = nonzero[nonzero > 0]
    return bool(nonzero.size and nonzero.max() >= LOG_RATIO * nonzero.min())


def count_axis(axes: Axes, counts: Sequence[float] | np.ndarray, nbins: int = 6) -> bool:
    """Make the y axis of ``axes`` a count axis for ``counts``: integer ticks with thousands
    separators, logarithmic when the counts span orders of magnitude
    (:func:`spans_magnitudes`). Returns whether it is logarithmic."""
    log = spans_magnitudes(counts)
    if log:
        axes.set_yscale("log")
        # no minor ticks: unlabelled, and a log axis's many minor ticks are most of a chart's
        # drawing time
        axes.yaxis.set_minor_locator(NullLocator())
    else:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))
    axes.yaxis.set_major_formatter(_THOUSANDS)
    return log


def funnel_chart(stages: Sequence[str], entering: Sequence[int], rejected: Sequence[int]) -> str:
    """Horizontal bars: documents entering each stage, the part rejected there in red."""
    with mpl.rc_context(_RC):
        figure = Figure(figsize=(8, 0.45 * len(stages) + 1), layout="constrained")
        axes = figure.add_subplot()
        positions = np.arange(len(stages))[::-1]
        passed = [n - r for n, r in zip(entering, rejected, strict=True)]
        axes.barh(positions, passed, color=KEPT, label="passed")
        axes.barh(positions, rejected, left=passed, color=REJECTED, label="rejected here")
        for y, n, r in zip(positions, entering, rejected, strict=True):
            axes.text(n, y, f"  {n:,}" + (f" (-{r:,})" if r else ""), va="center")
        axes.set_yticks(positions, stages)
        axes.set_xlabel("documents")
        axes.set_xlim(0, max(max(entering, default=0), 1) * 1.25)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # stacked bars: always linear
        axes.xaxis.set_major_formatter(_THOUSANDS)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, frameon=False)
        return to_data_uri(figure)


def bar_chart(labels: Sequence[str], values: Sequence[int], xlabel: str, ylabel: str) -> str:
    """Vertical bars, one per label, with the value written above each bar; the value axis is
    a :func:`count_axis`."""
    with mpl.rc_context(_RC):
        figure = Figure(figsize=(max(4.0, 0.45 * len(labels) + 1.5), 3.2), layout="constrained")
        axes = figure.add_subplot()
        bars = axes.bar(range(len(labels)), values, color=KEPT)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=2)
        axes.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 8 else 0)
        axes.set_xlabel(xlabel)
        top = max(max(values, default=0), 1)
        if count_axis(axes, values):
            axes.set_ylabel(f"{ylabel} (log scale)")
            axes.set_ylim(0.7, top * 3)
        else:
            axes.set_ylabel(ylabel)
            axes.set_ylim(0, top * 1.15)
        return to_data_uri(figure)


@dataclass(frozen=True)
class Panel:
    """One histogram: values per group (``None``/NaN entries ignored) and the pass range."""

    title: str
    groups: dict[str, np.ndarray]  # label -> float values, drawn stacked in this order
    low: float | None = None  # documents below fail the rule
    high: float | None = None  # documents above fail the rule


_GROUP_COLOURS = (KEPT, REJECTED, OTHER)
#: A threshold further than this many data ranges outside the data is written, not drawn.
_OFF_SCALE = 3.0


def _draw(axes, panel: Panel, bins: int) -> None:
    groups = {k: v[np.isfinite(v)] for k, v in panel.groups.items()}
    values = np.concatenate(list(groups.values())) if groups else np.array([])
    axes.set_title(panel.title, fontsize=8, y=1.0)
    if values.size == 0:
        axes.text(0.5, 0.5, "no values", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
        return
    low, high = (
        np.quantile(values, [0.005, 0.995]) if values.size >= 200 else (values.min(), values.max())
    )
    # a constant metric (often 0) gets a unit span, so nearby thresholds are still drawn
    span = high - low if high - low > 1e-9 else max(abs(high), 1.0)
    notes = []
    drawn = []
    for name, threshold in (("min", panel.low), ("max", panel.high)):
        if threshold is None:
            continue
        if low - _OFF_SCALE * span <= threshold <= high + _OFF_SCALE * span:
            drawn.append(threshold)
            low, high = min(low, threshold), max(high, threshold)
        else:
            notes.append(f"{name} {threshold:g} off scale")
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    clipped = [np.clip(v, low, high) for v in groups.values()]
    colours = [_GROUP_COLOURS[i % len(_GROUP_COLOURS)] for i in range(len(clipped))]
    axes.hist(
        clipped, bins=edges, stacked=True, histtype="stepfilled", color=colours, label=list(groups)
    )
    totals, _ = np.histogram(np.concatenate(clipped), bins=edges)
    if count_axis(axes, totals, nbins=4):
        axes.set_title(f"{panel.title} (log scale)", fontsize=8, y=1.0)
    for threshold in drawn:
        axes.axvline(threshold, color=THRESHOLD, linestyle="--", linewidth=1.2)
    if notes:
        axes.text(
            0.98, 0.95, "\n".join(notes), ha="right", va="top", fontsize=7, transform=axes.transAxes
        )


def histograms(panels: Sequence[Panel], columns: int = 4, bins: int = 30) -> str:
    """A grid of stacked histograms, thresholds as dashed lines, one legend for all.

    The grid has fixed margins (in inches) instead of a layout engine: panels are alike, and
    constrained layout would double the drawing time of a 30-panel grid."""
    with mpl.rc_context(_RC):
        columns = max(1, min(columns, len(panels)))
        rows = math.ceil(len(panels) / columns)
        width, height = max(2.9 * columns + 0.3, 7.0), 2.2 * rows + 0.5
        figure = Figure(figsize=(width, height))
        figure.subplots_adjust(
            left=0.45 / width,
            right=1 - 0.15 / width,
            bottom=0.35 / height,
            top=1 - 0.5 / height,
            wspace=0.3,
            hspace=0.55,
        )
        axes_grid = figure.subplots(rows, columns, squeeze=False)
        for axes, panel in zip(axes_grid.flat, panels, strict=False):
            _draw(axes, panel, bins)
            axes.locator_params(axis="x", nbins=4)
            axes.tick_params(labelsize=7)
        for axes in list(axes_grid.flat)[len(panels) :]:
            axes.set_visible(False)
        legends = (axes.get_legend_handles_labels() for axes in axes_grid.flat)
        handles, labels = next((item for item in legends if item[0]), ([], []))
        if handles:
            figure.legend(
                handles[::-1],
                labels[::-1],
                loc="upper center",
                ncols=len(labels),
                frameon=False,
                bbox_to_anchor=(0.5, 1.0),
            )
        return to_data_uri(figure)
