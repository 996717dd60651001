"""The timeline's geometry: bars sit inside the axis, in time order, and the axis covers the run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regionshift.contracts import RunReport, StepOutcome
from regionshift.reports.timeline import MIN_BAR_WIDTH, build_timeline, format_duration, format_offset


def test_every_bar_lies_within_the_axis(report: RunReport) -> None:
    timeline = build_timeline(report, width=700)
    for bar in timeline.bars:
        assert bar.timed
        assert bar.x >= 0
        assert bar.x + bar.width <= timeline.width + 1e-9
        assert bar.width >= MIN_BAR_WIDTH


def test_bars_are_ordered_by_start_time_and_proportional_to_duration(report: RunReport) -> None:
    timeline = build_timeline(report, width=700)
    bars = sorted(timeline.bars, key=lambda b: b.start_s or 0)
    assert [b.x for b in bars] == sorted(b.x for b in bars)
    scale = timeline.width / timeline.span_s
    for bar in timeline.bars:
        assert bar.x == pytest.approx((bar.start_s or 0) * scale)
        assert bar.width == pytest.approx(max(MIN_BAR_WIDTH, (bar.duration_s or 0) * scale))
    # The 3 m 08 s scale set bar is longer than the 55 s Cosmos bar.
    assert timeline.bars[4].width > timeline.bars[2].width


def test_axis_covers_the_run_with_round_ticks(report: RunReport) -> None:
    timeline = build_timeline(report, width=700)
    assert timeline.span_s >= 235  # the run ended at +235 s
    assert timeline.ticks[0] == (0.0, 0.0)
    assert timeline.ticks[-1][1] == pytest.approx(timeline.width)
    steps = {round(b[0] - a[0], 6) for a, b in zip(timeline.ticks, timeline.ticks[1:], strict=False)}
    assert len(steps) == 1 and 2 <= len(timeline.ticks) <= 11


def test_a_step_that_started_before_the_run_moves_the_axis_origin(report: RunReport) -> None:
    early = report.steps[0].model_copy(update={"started_at": report.started_at - timedelta(seconds=5)})
    timeline = build_timeline(report.model_copy(update={"steps": [early, *report.steps[1:]]}))
    assert timeline.origin == report.started_at - timedelta(seconds=5)
    assert min(b.x for b in timeline.bars) == 0


def test_untimed_and_instant_steps_still_get_a_row(report: RunReport) -> None:
    untimed = StepOutcome(kind="dns", resource="www.contoso.com CNAME", action="switch", status="skipped")
    instant = report.steps[3].model_copy(update={"ended_at": report.steps[3].started_at})
    timeline = build_timeline(report.model_copy(update={"steps": [untimed, instant]}))
    assert not timeline.bars[0].timed
    assert timeline.bars[1].width == MIN_BAR_WIDTH


def test_a_report_with_no_steps_has_a_usable_axis(report: RunReport) -> None:
    timeline = build_timeline(report.model_copy(update={"steps": [], "ended_at": report.started_at}))
    assert timeline.span_s > 0 and timeline.bars == []


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0.25, "250 ms"), (4.21, "4.2 s"), (42, "42 s"), (245, "4 m 05 s"), (7380, "2 h 03 m")],
)
def test_durations_read_like_a_person_would_say_them(seconds: float | None, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_axis_labels_are_offsets_from_the_start() -> None:
    assert [format_offset(s) for s in (0, 30, 60, 90, 7200)] == ["0", "+30s", "+1m", "+1m30s", "+2h"]
