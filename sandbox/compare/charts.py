"""Charts of the report as inline PNG data URIs (matplotlib, Agg canvas, no pyplot state).

Three charts: every compared metric as mean with 95 % interval and the single
seeds (one small panel per metric), the scorecard as grouped bars with the
range over evaluators, and time and energy per run. Colours follow the
Okabe-Ito palette, which stays distinguishable for colour-blind readers; the
baseline always has the first colour. The images are embedded in the HTML,
so the report opens offline.
"""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING, Any

from sandbox.compare.fmt import grade, num

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sandbox.compare.model import Comparison

__all__ = ["PALETTE", "metrics_chart", "scores_chart", "cost_chart", "axis_range", "MAX_METRIC_PANELS"]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAX_METRIC_PANELS = 12
_READABLE = 0.05  # a difference spanning under 5 % of the axis is not readable: zoom in and mark the cut
_BETTER = {"hoch": "höher ist besser", "niedrig": "niedriger ist besser"}


def _figure(width: float, height: float) -> "Figure":
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    fig.set_facecolor("white")
    return fig


def _data_uri(fig: "Figure") -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _german_ticks(value: float, _position: int) -> str:
    return num(value, 4)


def _style(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(_german_ticks))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _short(label: str, width: int = 26) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def axis_range(values: list[float]) -> tuple[float, float, bool]:
    """(left, right, cut) of a metric panel: from 0 (or 0 to 1 for shares) when that leaves the
    differences readable, else zoomed in and ``cut`` True, which the panel marks."""
    low, high = min(values), max(values)
    span = (high - low) or abs(high) or 1.0
    pad = span * 0.15
    if low >= 0 and high <= 1 and span >= _READABLE * 1.0:
        return 0.0, 1.0, False
    if low >= 0 and span >= _READABLE * high:
        return 0.0, high + pad, False
    return low - pad, high + pad, low - pad > 0 or high + pad < 0


def _mark_cut(ax: Any, left: float) -> None:
    """Zig-zag on the left spine and a note: this axis does not start at 0."""
    ax.plot([0, 0.012, -0.012, 0], [0.02, 0.05, 0.08, 0.11], transform=ax.transAxes, color="#b3261e",
            linewidth=1.2, clip_on=False)
    ax.text(0.0, -0.02, f"Achse beginnt bei {num(left)}, nicht bei 0", transform=ax.transAxes, fontsize=7.5,
            color="#b3261e", ha="left", va="top")


def metrics_chart(c: "Comparison") -> str | None:
    """Forest plot: per compared metric one panel, per subject the seeds, the mean and its interval.

    Only metrics every subject recorded and that vary are drawn (constants and one-sided metrics are
    tables, not charts); axes start at 0 where the differences stay visible, else the cut is marked.
    """
    rows = c.metrics[:MAX_METRIC_PANELS]
    if not rows:
        return None
    cols = 1 if len(rows) == 1 else 2
    lines = math.ceil(len(rows) / cols)
    panel = 0.42 * len(c.subjects) + 1.0
    fig = _figure(11, panel * lines)
    axes = fig.subplots(lines, cols, squeeze=False)
    labels = [_short(s.label) for s in c.subjects]
    for index, ax in enumerate(axes.flat):
        if index >= len(rows):
            ax.set_visible(False)
            continue
        row = rows[index]
        for j, est in enumerate(row.estimates):
            if est is None:
                continue
            y = len(c.subjects) - 1 - j
            ax.scatter(est.values, [y] * len(est.values), s=16, facecolors="none", edgecolors=color(j), alpha=0.7,
                       linewidths=0.9, zorder=2)
            if est.has_interval:
                ax.hlines(y, est.low, est.high, color=color(j), linewidth=3.2, alpha=0.85, zorder=3)
            ax.scatter([est.mean], [y], s=46, color=color(j), edgecolors="white", linewidths=0.8, zorder=4)
            ax.annotate(num(est.mean), (est.mean, y), textcoords="offset points", xytext=(0, 7), ha="center",
                        fontsize=8, color="#333333")
        ax.set_yticks(range(len(c.subjects)), labels[::-1])
        ax.set_ylim(-0.6, len(c.subjects) - 0.3)
        ax.set_title(_short(row.title, 60) + (f" ({_BETTER[row.better]})" if row.better else ""), fontsize=10,
                     loc="left")
        _style(ax)
        left, right, cut = axis_range([v for e in row.estimates if e for v in (*e.values, e.low or e.mean,
                                                                              e.high or e.mean)])
        ax.set_xlim(left, right)
        if cut:
            _mark_cut(ax, left)
    return _data_uri(fig)


def scores_chart(c: "Comparison") -> str | None:
    """Grouped bars: mean grade per criterion and subject, whiskers from lowest to highest grade."""
    rated = [i for i in range(len(c.subjects)) if c.scores[-1].cells[i] is not None]
    if not rated:
        return None
    rows = list(c.scores)
    fig = _figure(11, 0.5 * len(rows) * max(1.0, len(rated) * 0.55) + 1.2)
    ax = fig.subplots()
    _style(ax)
    height = 0.8 / len(rated)
    for k, i in enumerate(rated):
        ys, means, lows, highs = [], [], [], []
        for r, row in enumerate(rows):
            cell = row.cells[i]
            if cell is None:
                continue
            ys.append(len(rows) - 1 - r + (len(rated) - 1 - k - (len(rated) - 1) / 2) * height)
            means.append(cell.mean)
            lows.append(cell.mean - cell.low)
            highs.append(cell.high - cell.mean)
        ax.barh(ys, means, height=height * 0.9, color=color(i), label=_short(c.subjects[i].label, 40),
                xerr=[lows, highs], error_kw={"ecolor": "#444444", "capsize": 2.5, "elinewidth": 0.9})
        for y, mean in zip(ys, means):
            ax.annotate(grade(mean), (0.05, y), va="center", fontsize=7.5, color="white", fontweight="bold")
    ax.set_yticks(range(len(rows)), [_short(row.title, 40) for row in rows][::-1])
    ax.set_xlim(0, 5.2)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel("Note (1 = schlecht, 5 = sehr gut); Striche: niedrigste bis höchste Note", fontsize=9)
    ax.legend(loc="lower right", fontsize=8, frameon=False, bbox_to_anchor=(1.0, 1.0), ncols=min(len(rated), 3))
    return _data_uri(fig)


def cost_chart(c: "Comparison") -> str | None:
    """Two bar panels: wall time and estimated energy per run."""
    if all(cost.wall_s is None and cost.energy_wh is None for cost in c.costs):
        return None
    fig = _figure(11, 0.38 * len(c.subjects) + 1.3)
    axes = fig.subplots(1, 2)
    labels = [_short(s.label) for s in c.subjects][::-1]
    energies = [cost.energy_wh for cost in c.costs]
    factor, unit = (1.0, "Wh") if max((e or 0.0) for e in energies) >= 0.1 else (1000.0, "mWh")
    panels = (("Laufzeit je Lauf (Sekunden)", [cost.wall_s for cost in c.costs]),
              (f"Energie je Lauf ({unit}, geschätzt aus CPU-Zeit)",
               [None if e is None else e * factor for e in energies]))
    for ax, (title, values) in zip(axes, panels):
        shown = [v or 0.0 for v in values][::-1]
        ax.barh(range(len(shown)), shown, color=[color(j) for j in range(len(values))][::-1], height=0.6)
        for y, v in enumerate(shown):
            ax.annotate(num(v, 2), (v, y), textcoords="offset points", xytext=(3, -3), fontsize=8)
        ax.set_yticks(range(len(shown)), labels)
        ax.set_title(title, fontsize=10, loc="left")
        ax.margins(x=0.18)
        _style(ax)
    return _data_uri(fig)
