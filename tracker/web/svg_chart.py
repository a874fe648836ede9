"""Line charts as inline SVG, drawn on the server: no script, nothing fetched, nothing inline-styled.

The Content-Security-Policy (tracker.http.responses) forbids ``style`` attributes, so every look comes from
classes in tracker.css (``chart-*``); SVG geometry is plain attributes. Each series has its own
line pattern and point shape as well as its own colour, so colour is never the only way to tell
them apart, and the figure carries a text description for screen readers (the page also shows
the numbers in a table).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 12, 12, 52
GRID_STEPS = 4  # when no round step divides the axis
ROUND_STEPS = (5, 10, 20, 25, 50)
MARKERS = ("circle", "square", "diamond", "triangle")
SERIES_STYLES = 4  # chart-series-0 .. chart-series-3 in tracker.css


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per label; None leaves a gap


def _marker(shape: str, x: float, y: float, css: str, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>"
    if shape == "circle":
        return f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="4">{title}</circle>'
    if shape == "square":
        return f'<rect class="{css}" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8">{title}</rect>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    return f'<polygon class="{css}" points="{points}">{title}</polygon>'


def axis_floor(series: list[Series], y_max: float = 100.0, step: float = 10.0) -> float:
    """Where the y axis should start so that changes show: a step below the lowest value, or 0."""
    values = [v for line in series for v in line.values if v is not None]
    if not values:
        return 0.0
    return max(0.0, min(y_max - step, (min(values) // step - 1) * step))


def _grid_steps(span: float) -> int:
    """How many grid lines: a round step (5, 10, 20...) giving at most five, else GRID_STEPS."""
    for step in ROUND_STEPS:
        if span % step == 0 and span / step <= 5:
            return int(span / step)
    return GRID_STEPS


def line_chart(title: str, labels: list[str], series: list[Series], *, y_min: float = 0.0, y_max: float = 100.0,
               unit: str = "%", description: str = "") -> Markup:
    """An SVG line chart of ``series`` over ``labels`` (x axis), from ``y_min`` to ``y_max`` (y axis)."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x_at(n: int) -> float:
        return MARGIN_LEFT + n * step

    def y_at(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - (min(max(value, y_min), y_max) - y_min) / (y_max - y_min))

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc"'
             f' xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-title">{escape(title)}</title>',
             f'<desc id="chart-desc">{escape(description or title)}</desc>']
    steps = _grid_steps(y_max - y_min)
    for n in range(steps + 1):
        value = y_min + (y_max - y_min) * n / steps
        y = y_at(value)
        parts.append(f'<line class="chart-grid" x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-axis" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{value:g}{escape(unit)}</text>")
    for n, label in enumerate(labels):
        parts.append(f'<text class="chart-axis" x="{x_at(n):.1f}" y="{HEIGHT - MARGIN_BOTTOM + 18}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    for index, line in enumerate(series):
        css = f"chart-series-{index % SERIES_STYLES}"
        shape = MARKERS[index % len(MARKERS)]
        points = [(x_at(n), y_at(v), v, labels[n]) for n, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _l in points)
            parts.append(f'<polyline class="chart-line {css}" fill="none" points="{path}"/>')
        parts += [_marker(shape, x, y, f"chart-point {css}", f"{line.name}, {label}: {v:.0f}{unit}")
                  for x, y, v, label in points]
    legend_y = HEIGHT - 10
    legend_x = MARGIN_LEFT
    for index, line in enumerate(series):
        css = f"chart-series-{index % SERIES_STYLES}"
        parts.append(f'<line class="chart-line {css}" x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 22}" '
                     f'y2="{legend_y - 4}"/>')
        parts.append(_marker(MARKERS[index % len(MARKERS)], legend_x + 11, legend_y - 4, f"chart-point {css}",
                             line.name))
        parts.append(f'<text class="chart-legend" x="{legend_x + 28}" y="{legend_y}">{escape(line.name)}</text>')
        legend_x += 40 + 8 * len(line.name)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through escape()
