"""Server-drawn SVG charts: plain markup, no script, readable by a screen reader and a printer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Pair:
    """One group of the paired-bar chart: what was offered and how much of it was filled."""

    label: str
    offered: int
    filled: int


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def paired_bars(
    pairs: Sequence[Pair], *, title: str, offered: str, filled: str, width: int = 600
) -> Markup:
    """Offered (grey) and filled (red) side by side per group, with a legend and a label."""
    height, top, bottom, left = 220, 24, 36, 34
    plot_h = height - top - bottom
    most = max((max(p.offered, p.filled) for p in pairs), default=0) or 1
    slot = (width - left - 8) / max(len(pairs), 1)
    bar = max(min(slot * 0.38, 28), 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" '
        'class="axis"/>',
        f'<text x="{left - 4}" y="{top + 4}" class="tick" text-anchor="end">{most}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" class="tick" text-anchor="end">0</text>',
        f'<rect x="{left}" y="4" width="10" height="10" class="offered"/>'
        f'<text x="{left + 14}" y="13" class="tick">{escape(offered)}</text>',
        f'<rect x="{left + 130}" y="4" width="10" height="10" class="filled"/>'
        f'<text x="{left + 144}" y="13" class="tick">{escape(filled)}</text>',
    ]
    every = max(1, round(len(pairs) / 14))  # keep the labels from running into each other
    for i, p in enumerate(pairs):
        x = left + i * slot + (slot - 2 * bar) / 2
        for offset, value, cls, name in (
            (0, p.offered, "offered", offered),
            (bar, p.filled, "filled", filled),
        ):
            h = plot_h * value / most
            parts.append(
                f'<rect x="{_num(x + offset)}" y="{_num(top + plot_h - h)}" width="{_num(bar)}" '
                f'height="{_num(h)}" class="{cls}"><title>{escape(p.label)} · '
                f"{escape(name)}: {value}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{_num(x + bar)}" y="{height - bottom + 16}" class="tick" '
                f'text-anchor="middle">{escape(p.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Gap:
    """One trade-and-district row: > 0 short of workers, < 0 workers idle."""

    label: str
    gap: int


def gap_bars(gaps: Sequence[Gap], *, title: str, short: str, idle: str, width: int = 440) -> Markup:
    """Diverging bars: shortages to the right in red, idle workers to the left in blue."""
    row, top, label_w = 22, 24, 140
    height = top + row * max(len(gaps), 1) + 8
    middle = label_w + (width - label_w) / 2
    half = (width - label_w) / 2 - 30
    most = max((abs(g.gap) for g in gaps), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="{_num(middle - 6)}" y="14" class="tick idle-text" text-anchor="end">'
        f"← {escape(idle)}</text>",
        f'<text x="{_num(middle + 6)}" y="14" class="tick short-text">{escape(short)} →</text>',
        f'<line x1="{_num(middle)}" y1="{top - 4}" x2="{_num(middle)}" y2="{height - 4}" '
        'class="axis"/>',
    ]
    for i, g in enumerate(gaps):
        y = top + i * row
        w = half * abs(g.gap) / most
        x = middle if g.gap >= 0 else middle - w
        cls = "short" if g.gap > 0 else "idle"
        value_x = middle + w + 4 if g.gap >= 0 else middle - w - 4
        anchor = "start" if g.gap >= 0 else "end"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" class="tick" text-anchor="end">'
            f"{escape(g.label)}</text>"
            f'<rect x="{_num(x)}" y="{y + 3}" width="{_num(max(w, 1))}" height="{row - 6}" '
            f'class="{cls}"/>'
            f'<text x="{_num(value_x)}" y="{y + 14}" class="tick" text-anchor="{anchor}">'
            f"{g.gap:+d}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
