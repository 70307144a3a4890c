"""The figure of ``Comparison.plot()`` (matplotlib, the ``plot`` extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from insurrules.population.comparison_summary import UNCONFIRMED_NOTE, format_amount

if TYPE_CHECKING:
    from insurrules.population.comparison import Comparison
    from insurrules.population.comparison_summary import ComparisonSummary

__all__ = ["comparison_figure"]

_FONT: Any = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 11}
_GAIN, _LOSS, _BASE, _REFORM = "#2a9d8f", "#e76f51", "#8d99ae", "#264653"
_WIDTH = 0.38


def comparison_figure(comparison: Comparison) -> Any:
    try:
        import matplotlib as mpl
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Comparison.plot() needs matplotlib: pip install 'insurrules[plot]'"
        ) from None
    summary = comparison.summary
    changes = summary.by_basis.filter((pl.col("newly_insured") > 0) | (pl.col("losing_cover") > 0))
    costs = summary.cost.filter(pl.col("budget") != "total")
    panels = [p for p, shown in (("changes", changes.height), ("cost", costs.height)) if shown]
    with mpl.rc_context(_FONT):
        fig = Figure(figsize=(6.4 * max(len(panels), 1), 5.2), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False)[0] if panels else []
        for ax, panel in zip(axes, panels, strict=True):
            if panel == "changes":
                _changes(ax, changes, comparison)
            else:
                _cost(ax, costs, comparison, summary)
        if not panels:
            fig.text(
                0.5,
                0.5,
                f"No status changes on {comparison.as_of}, and no state-paid budgets to compare",
                ha="center",
                va="center",
            )
    return fig


def _changes(ax: Any, changes: pl.DataFrame, comparison: Comparison) -> None:
    labels = [str(v).replace("_", " ") for v in changes["basis"].to_list()]
    xs = list(range(len(labels)))
    gains = ax.bar(
        [x - _WIDTH / 2 for x in xs],
        changes["newly_insured"].to_list(),
        _WIDTH,
        label="newly insured (reform basis)",
        color=_GAIN,
    )
    losses = ax.bar(
        [x + _WIDTH / 2 for x in xs],
        changes["losing_cover"].to_list(),
        _WIDTH,
        label="losing cover (baseline basis)",
        color=_LOSS,
    )
    for bars in (gains, losses):
        ax.bar_label(bars, labels=[f"{int(b.get_height()):,}" for b in bars], padding=2)
    _categories(ax, xs, labels)
    ax.set_ylabel("persons")
    ax.set_title(f"Status changes on {comparison.as_of}, by basis")


def _cost(ax: Any, costs: pl.DataFrame, comparison: Comparison, summary: ComparisonSummary) -> None:
    names = [str(v) for v in costs["budget"].to_list()]
    xs = list(range(len(names)))

    def millions(column: str) -> list[float]:
        return [float(v or 0) / 1e6 for v in costs[column].to_list()]  # a drawing: floats

    for offset, side, color in ((-_WIDTH / 2, "baseline", _BASE), (_WIDTH / 2, "reform", _REFORM)):
        bars = ax.bar(
            [x + offset for x in xs], millions(f"cost_{side}"), _WIDTH, label=side, color=color
        )
        ax.bar_label(bars, labels=[f"{h:,.1f}" for h in millions(f"cost_{side}")], padding=2)
    marks = [
        f"{name}*" if flag else name
        for name, flag in zip(names, costs["unconfirmed"].to_list(), strict=True)
    ]
    _categories(ax, xs, marks)
    ax.set_ylabel(f"million {summary.currency}")
    ax.set_title(f"State contributions in {comparison.as_of.year}, by budget")
    change = costs["cost_change"].to_list()
    total = None if None in change else sum(change)
    note = f"reform minus baseline: {format_amount(total)} {summary.currency}"
    if summary.unconfirmed:
        note += "\n* " + (summary.note or UNCONFIRMED_NOTE).replace(" (", "\n  (", 1)
    ax.text(0.0, -0.24, note, transform=ax.transAxes, va="top", fontsize=10.5)


def _categories(ax: Any, xs: list[int], labels: list[str]) -> None:
    """Tick labels, bars of one width however few the categories, the legend under the axes."""
    ax.set_xticks(xs, labels)
    pad = max(0.0, (2 - len(xs)) / 2)  # one or two categories stay centred, bars narrow
    ax.set_xlim(-0.6 - pad, len(xs) - 0.4 + pad)
    ax.margins(y=0.2)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
