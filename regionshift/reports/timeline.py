"""The geometry of a run's timeline: where each step's bar sits on a shared time axis.

Kept apart from the HTML so that it can be tested as numbers (bars ordered, inside the axis) and so
that the text summary and the chart agree on what "started at +12 s" means. Times are measured from
the run's start; a step without both timestamps gets no bar (it is drawn as a marker row instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from regionshift.contracts import RunReport, StepOutcome

# Tick spacings the axis may use, in seconds: readable round numbers from 1 s to a day.
_TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
_MAX_TICKS = 10
# A bar is never thinner than this (in px), so an instant step (already done) is still visible.
MIN_BAR_WIDTH = 3.0


def as_utc(value: datetime) -> datetime:
    """Naive datetimes in reports are UTC (Durable's clock is); make them comparable with aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Bar:
    index: int  # position of the step in report.steps
    step: StepOutcome
    start_s: float | None  # seconds from the run's start; None when the step was not timed
    end_s: float | None
    x: float  # px from the left of the plot area
    width: float

    @property
    def timed(self) -> bool:
        return self.start_s is not None and self.end_s is not None

    @property
    def duration_s(self) -> float | None:
        if self.start_s is None or self.end_s is None:
            return None
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Timeline:
    origin: datetime  # time zero of the axis (UTC)
    span_s: float  # seconds the axis covers, > 0
    width: float  # px of the plot area
    ticks: list[tuple[float, float]]  # (seconds, px) of each gridline, 0 first
    bars: list[Bar]  # one per step, in report order

    def x_of(self, seconds: float) -> float:
        return max(0.0, min(self.width, seconds / self.span_s * self.width))


def step_seconds(step: StepOutcome, origin: datetime) -> tuple[float | None, float | None]:
    """A step's start and end in seconds from `origin`; an end before the start is clamped."""
    start = (as_utc(step.started_at) - origin).total_seconds() if step.started_at else None
    end = (as_utc(step.ended_at) - origin).total_seconds() if step.ended_at else None
    if start is not None and end is not None and end < start:
        end = start
    return start, end


def build_timeline(report: RunReport, width: float = 760.0) -> Timeline:
    """Lay out every step of `report` on one axis from the run's start to its last known moment."""
    origin = as_utc(report.started_at)
    spans = [step_seconds(s, origin) for s in report.steps]
    # The axis starts at the run's start, or earlier if a step claims to have started before it
    # (clock skew between workers); it ends at the latest moment anything reports.
    first = min([0.0, *(a for a, _ in spans if a is not None)])
    if first < 0:
        origin = origin + timedelta(seconds=first)
        spans = [step_seconds(s, origin) for s in report.steps]
    moments = [b for _, b in spans if b is not None] + [a for a, _ in spans if a is not None]
    if report.ended_at is not None:
        moments.append((as_utc(report.ended_at) - origin).total_seconds())
    last = max([0.0, *moments])
    tick_step = _tick_step(last)
    # Round the axis up to a whole tick so the last gridline closes the chart.
    span = max(tick_step, -(-last // tick_step) * tick_step)
    ticks = [(t * tick_step, t * tick_step / span * width) for t in range(int(span // tick_step) + 1)]
    bars = []
    for index, (step, (start, end)) in enumerate(zip(report.steps, spans, strict=True)):
        if start is None or end is None:
            bars.append(Bar(index, step, start, end, 0.0, 0.0))
            continue
        x = start / span * width
        w = max(MIN_BAR_WIDTH, (end - start) / span * width)
        x = min(x, width - w)  # a minimum-width bar at the very end must not overflow the axis
        bars.append(Bar(index, step, start, end, x, w))
    return Timeline(origin=origin, span_s=span, width=width, ticks=ticks, bars=bars)


def _tick_step(span_s: float) -> float:
    for candidate in _TICK_STEPS:
        if span_s / candidate <= _MAX_TICKS:
            return float(candidate)
    # Longer than ten days: whole days, as many as needed to keep ten ticks.
    return float(86400 * -(-span_s // (86400 * _MAX_TICKS)))


def format_duration(seconds: float | None) -> str:
    """`850 ms`, `12.4 s`, `4 m 05 s`, `2 h 03 m`; an em dash when unknown."""
    if seconds is None:
        return "—"
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} m {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} m"


def format_offset(seconds: float) -> str:
    """Axis labels: `0`, `+30s`, `+1m`, `+1m30s`, `+2h`."""
    s = round(seconds)
    if s == 0:
        return "0"
    hours, rest = divmod(s, 3600)
    minutes, secs = divmod(rest, 60)
    out = "+"
    if hours:
        out += f"{hours}h"
    if minutes:
        out += f"{minutes}m"
    if secs:
        out += f"{secs}s"
    return out
