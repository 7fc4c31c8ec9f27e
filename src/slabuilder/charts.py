"""The geometry of the report's two charts, as plain numbers for ``templates/_charts.svg.j2``.

The template draws the SVG and formats every figure with the filters; this module only works
out where things go (bar lengths, positions, label anchors), so that no label overprints
another.  Coordinates are SVG user units, rounded to a tenth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["funnel_chart", "trend_chart"]

_LABEL_HEIGHT = 8.0
"""Two labels whose baselines are closer than this would overprint at the charts' size."""


def _r(value: float) -> float:
    return round(value, 1)


def funnel_chart(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Target (outline) against actual (solid) for each stage, as horizontal bars.

    ``rows`` are the report's funnel rows (``name``, ``target``, ``actual``, ``state``)."""
    width, label_w, bar_h, gap, top_pad = 480.0, 90.0, 12.0, 10.0, 18.0
    scale_w = width - label_w - 70
    top = max([r["target"] or 0 for r in rows] + [r["actual"] or 0 for r in rows] + [1])
    bars = []
    y = top_pad
    for row in rows:
        target_w = scale_w * (row["target"] or 0) / top
        actual_y = y + bar_h
        actual_w = None if row["actual"] is None else scale_w * row["actual"] / top
        bars.append({
            "name": row["name"], "name_y": _r(y + bar_h + 3),
            "target": row["target"], "target_y": _r(y), "target_width": _r(max(target_w, 0.5)),
            "target_label_x": _r(label_w + target_w + 4), "target_label_y": _r(y + 9),
            "actual": row["actual"], "actual_y": _r(actual_y),
            "actual_width": None if actual_w is None else _r(max(actual_w, 0.5)),
            "actual_label_x": _r(label_w + (scale_w if actual_w is None else actual_w) + 4),
            "actual_label_y": _r(actual_y + 9), "rule_y": _r(actual_y + bar_h - 1),
            "missing": row["state"] == "not in export",
        })
        y += 2 * bar_h + gap
    return {"width": width, "height": top_pad + len(rows) * (2 * bar_h + gap),
            "label_width": label_w, "scale_end": label_w + scale_w, "bar_height": bar_h,
            "bars": bars}


def trend_chart(trend: Sequence[dict[str, Any]], mql_target: int | None) -> dict[str, Any]:
    """MQLs a month as bars, median speed to lead as a line on its own (right) scale.

    ``trend`` holds ``label`` (``Jan ’27``), ``mql`` and ``speed_to_lead_median_hours``."""
    width, height, left, right, bottom, top_pad = 480.0, 150.0, 34.0, 40.0, 22.0, 16.0
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    slot = plot_w / max(len(trend), 1)
    top = max([item["mql"] for item in trend] + [mql_target or 0, 1])
    speeds = [item["speed_to_lead_median_hours"] for item in trend
              if item["speed_to_lead_median_hours"] is not None]
    speed_top = max([*speeds, 1.0]) * 1.15
    base = top_pad + plot_h
    scale_label_y = top_pad + 3
    target = None
    if mql_target:
        line_y = base - plot_h * mql_target / top
        label_y = line_y + 2.5
        if speeds and abs(label_y - scale_label_y) < _LABEL_HEIGHT:
            # Under the speed scale's label; the dashed line stops short of the margin.
            label_y = scale_label_y + _LABEL_HEIGHT
        target = {"value": mql_target, "y": _r(line_y), "label_y": _r(label_y)}
    bars, points = [], []
    for index, item in enumerate(trend):
        x = left + index * slot + slot * 0.2
        bar_h = plot_h * item["mql"] / top
        label = item["label"]
        bars.append({"x": _r(x), "y": _r(base - bar_h), "width": _r(slot * 0.6),
                     "height": _r(bar_h), "label": label,
                     "label_x": _r(x + slot * 0.3)})
        speed = item["speed_to_lead_median_hours"]
        if speed is not None:
            points.append({"x": _r(x + slot * 0.3), "y": _r(base - plot_h * speed / speed_top)})
    return {
        "width": width, "height": height, "left": left, "right": left + plot_w,
        "top_pad": top_pad, "base": base, "label_y": base + 10, "caption_y": height - 2,
        "count_top": top, "scale_label_y": scale_label_y,
        "speed_top": round(speed_top, 1) if speeds else None,
        "target": target, "bars": bars, "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
    }
