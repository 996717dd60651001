"""The Durable extension's limits, as the embedded host enforces them, each pinned to its source.

The host runs what Azure runs, so a limit Azure has and the host lacked would let a test pass
here and the same run die in Azure. Sources are read at these commits:
Azure/azure-functions-durable-extension a7c6d6944041 (WebJobs.Extensions.DurableTask, "the extension"),
Azure/durabletask 5217032961ab (DurableTask.Core / DurableTask.AzureStorage, "DTFx"),
Azure/azure-webjobs-sdk f79ea0bff76c (Microsoft.Azure.WebJobs.Host, "the Functions host"), and the
Python SDK azure-functions-durable 1.7.0 as installed ("the SDK").
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

# -- instance listing -----------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 100
"""`OrchestrationStatusQueryCondition.PageSize` (the extension): 100."""
MAX_PAGE_SIZE = 1000
"""Azure Table storage returns at most 1,000 entities per query page (Learn, "Query timeout and
pagination"), so no page of DTFx.AzureStorage's instance query is larger."""

# -- custom status --------------------------------------------------------------------------

CUSTOM_STATUS_MAX_KB = 16
"""`IDurableOrchestrationContext.SetCustomStatus` in the extension's
ContextImplementations/DurableOrchestrationContext.cs: `const int MaxCustomStatusPayloadSizeInKB = 16`."""


def custom_status_size_error(value: Any) -> str | None:
    """The extension's refusal of a custom status, or None when it fits.

    `MessagePayloadDataConverter.Serialize(value, maxSizeInKB)` (the extension's
    MessagePayloadDataConverter.cs) serialises the JToken compactly (`Formatting.None`), counts
    `Encoding.Unicode` (UTF-16) bytes, truncates to whole KB (`(int)(bytes / 1024.0)`) and throws
    ArgumentException when that is above 16: so 17,407 UTF-16 bytes pass and 17,408 fail.
    Newtonsoft writes non-ASCII characters as they are, hence `ensure_ascii=False`."""
    if value is None:
        return None
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    size_kb = int(len(compact.encode("utf-16-le")) / 1024)
    if size_kb <= CUSTOM_STATUS_MAX_KB:
        return None
    return (
        f"The UTF-16 size of the JSON-serialized payload must not exceed {CUSTOM_STATUS_MAX_KB:,} KB. "
        f"The current payload size is {size_kb:,} KB."
    )


# -- durable timers -------------------------------------------------------------------------

MAXIMUM_SHORT_TIMER = timedelta(days=6)
"""`AzureStorageDurabilityProvider.MaximumDelayTime` (the extension): 6 days."""
LONG_TIMER_INTERVAL = timedelta(days=3)
"""`AzureStorageDurabilityProvider.LongRunningTimerIntervalLength` (the extension): 3 days."""


def timer_length_error(fire_at: datetime, now: datetime) -> str | None:
    """The Azure Storage provider's refusal of one timer longer than its maximum, or None.

    Message from `AzureStorageDurabilityProvider.ValidateDelayTime`. The extension checks it
    (`ThrowIfInvalidTimerLengthForStorageProvider`, OutOfProcOrchestrationShim.cs) only for
    schemas before V3; from V3 on it trusts the SDK to split long timers (`LongTimerTask`) from
    the durations it sends in the context. A longer timer would still exceed what Azure Storage
    queues can delay (7 days), so the host refuses it whatever the schema: harsher than Azure."""
    if fire_at - now <= MAXIMUM_SHORT_TIMER:
        return None
    return f"The Azure Storage provider supports a maximum of {MAXIMUM_SHORT_TIMER.days} days for time-based delays"


# -- .NET TimeSpan text (host.json values, the context JSON, the timeout message) -----------

_TIMESPAN = re.compile(
    r"^(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<hours>\d{1,2}):(?P<minutes>\d{1,2})"
    r"(?::(?P<seconds>\d{1,2})(?:\.(?P<fraction>\d{1,7}))?)?$"
)


def format_timespan(span: timedelta) -> str:
    """`TimeSpan.ToString()` ("c" format): `[d.]hh:mm:ss[.fffffff]`, as .NET writes it in
    messages and as Newtonsoft serialises it in the orchestration context."""
    ticks = round(span.total_seconds() * 10_000_000)
    sign = "-" if ticks < 0 else ""
    ticks = abs(ticks)
    seconds, fraction = divmod(ticks, 10_000_000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    text = f"{sign}{f'{days}.' if days else ''}{hour:02}:{minute:02}:{second:02}"
    return text + (f".{fraction:07}" if fraction else "")


def parse_timespan(text: str) -> timedelta:
    """A TimeSpan as host.json writes it (`hh:mm:ss`, `d.hh:mm:ss`, `hh:mm`); ValueError otherwise."""
    match = _TIMESPAN.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time span (expected hh:mm:ss or d.hh:mm:ss)")
    parts = match.groupdict()
    hours, minutes, seconds = int(parts["hours"]), int(parts["minutes"]), int(parts["seconds"] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(f"{text!r} is not a time span (hours, minutes or seconds out of range)")
    span = timedelta(
        days=int(parts["days"] or 0),
        hours=hours,
        minutes=minutes,
        seconds=seconds,
        microseconds=int((parts["fraction"] or "0").ljust(7, "0")) // 10,
    )
    return -span if parts["sign"] else span


# -- function timeout -----------------------------------------------------------------------


def activity_timeout_reason(activity: str, timeout: timedelta) -> str:
    """The TaskFailed reason of an activity that outran `functionTimeout`.

    The Functions host throws `FunctionTimeoutException("Timeout value of {timeout} was exceeded
    by function: {ShortName}")` (`FunctionExecutor.TryHandleTimeoutAsync`, FunctionExecutor.cs;
    a script function's ShortName is `Functions.<name>`); the extension reports it as a
    FunctionTimeoutError (`FunctionExecutionHelper.ExecuteActivityFunction`) and fails the task
    with `TaskFailureException($"Activity function '{name}' failed: {message}")`
    (`TaskActivityShim.RunAsync`, Listener/TaskActivityShim.cs)."""
    return (
        f"Activity function '{activity}' failed: Timeout value of {format_timespan(timeout)} "
        f"was exceeded by function: Functions.{activity}"
    )
