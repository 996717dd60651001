"""NCRONTAB, the six-field cron of Azure Functions timer triggers: `sec min hour day month dow`.

Enough of it for schedules people write: `*`, numbers, ranges `a-b`, lists `a,b` and steps
`*/n` / `a-b/n`. Names (`MON`, `JAN`) and TimeSpan schedules (`00:05:00`) are refused with a
clear error rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from regionshift.errors import InputError

_BOUNDS = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]
_NAMES = ["second", "minute", "hour", "day", "month", "day of week"]


@dataclass(frozen=True)
class Schedule:
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as NCRONTAB counts

    def next_after(self, moment: datetime) -> datetime:
        """The first time strictly after `moment` the schedule fires (within about four years)."""
        start = moment.replace(microsecond=0) + timedelta(seconds=1)
        minute = start.replace(second=0)
        for _ in range(60 * 24 * 366 * 4):
            if (
                minute.month in self.months
                and minute.day in self.days
                and (minute.weekday() + 1) % 7 in self.weekdays
                and minute.hour in self.hours
                and minute.minute in self.minutes
            ):
                for second in sorted(self.seconds):
                    candidate = minute.replace(second=second)
                    if candidate >= start:
                        return candidate
            minute += timedelta(minutes=1)
        raise InputError("the schedule never fires")


def parse_schedule(expression: str) -> Schedule:
    fields = expression.split()
    if len(fields) != 6:
        raise InputError(f"schedule {expression!r}: NCRONTAB needs 6 fields (sec min hour day month dow)")
    sets = [_field(text, _BOUNDS[i], _NAMES[i], expression) for i, text in enumerate(fields)]
    return Schedule(*sets)


def _field(text: str, bounds: tuple[int, int], name: str, expression: str) -> frozenset[int]:
    low, high = bounds
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if base == "*":
                start, end = low, high
            elif "-" in base:
                a, b = base.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = end = int(base)
                if step_text:
                    end = high
        except ValueError:
            raise InputError(f"schedule {expression!r}: the {name} field {text!r} is not understood") from None
        if step < 1 or start < low or end > high or start > end:
            raise InputError(f"schedule {expression!r}: the {name} field must stay within {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)
