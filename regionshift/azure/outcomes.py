"""Building `StepOutcome`s: timing a step and turning Azure errors into outcomes.

Domain functions return an outcome for every expected result, failures included, so that an
orchestrator fanning in sees every branch. Only programming errors escape as exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError

from regionshift.contracts import StepKind, StepOutcome, StepStatus


def now() -> datetime:
    return datetime.now(UTC)


class Step:
    """A step being carried out: it records when it started and builds the outcome."""

    def __init__(self, kind: StepKind, resource: str, action: str) -> None:
        self.kind, self.resource, self.action = kind, resource, action
        self.started_at = now()
        self.data: dict[str, Any] = {}

    def outcome(self, status: StepStatus, detail: str = "", **data: Any) -> StepOutcome:
        return StepOutcome(
            kind=self.kind,
            resource=self.resource,
            action=self.action,
            status=status,
            started_at=self.started_at,
            ended_at=now(),
            detail=detail,
            data={**self.data, **data},
        )

    def done(self, detail: str = "", **data: Any) -> StepOutcome:
        return self.outcome("succeeded", detail, **data)

    def already(self, detail: str = "", **data: Any) -> StepOutcome:
        return self.outcome("already_done", detail, **data)

    def failed(self, detail: str, **data: Any) -> StepOutcome:
        return self.outcome("failed", detail, **data)


def describe_error(exc: BaseException) -> str:
    """A one-line reason from an Azure error: ARM's error code and message, not a traceback."""
    if isinstance(exc, HttpResponseError):
        code = exc.error.code if exc.error and exc.error.code else (exc.status_code or "error")
        message = exc.error.message if exc.error and exc.error.message else str(exc.reason or exc.message)
        return f"{code}: {message}"
    if isinstance(exc, AzureError):
        return f"{type(exc).__name__}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def azure_call() -> Iterator[None]:
    """Re-raise any Azure SDK error as `StepFailed`, carrying the one-line reason."""
    try:
        yield
    except AzureError as exc:
        raise StepFailed(describe_error(exc)) from exc


class StepFailed(Exception):
    """An Azure call failed; the message is the reason shown to the user."""
