"""Long-running operations as durable steps: start one, hand back its handle, check it later.

An Azure SDK poller (`begin_x(...).result()`) blocks a thread for as long as Azure works: minutes
for a scale set, and in Azure Functions that thread is shared with orchestrator replays and bounded
by `functionTimeout`. Instead an activity starts the operation with `polling=False`, keeps the
status URL ARM answered with, and returns at once; the orchestration waits on a durable timer and
asks `operation_status` until the operation ends, then reads the resource to verify it. A crash
in between resumes the polling, never re-issues the write.

ARM's asynchronous-operation contract ("Track asynchronous Azure operations", Azure Resource
Manager docs on Learn, and azure-mgmt-core's `ARMPolling`): a write answers 201/202 with an
`Azure-AsyncOperation` header (GET it: `{"status": "InProgress" | "Succeeded" | "Failed" |
"Canceled", "error": {...}}`) and/or a `Location` header (GET it: 202 while running, 200/204 when
done, an error status when failed); `Retry-After` says how many seconds to wait before asking.
A write that answers 200 without either header finished synchronously.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineResponse
from azure.core.rest import HttpRequest

from regionshift.azure.outcomes import describe_error
from regionshift.contracts import OperationHandle, OperationStatus

# Statuses of an Azure-AsyncOperation body that end the operation (anything else is still running).
TERMINAL = {"succeeded": "Succeeded", "failed": "Failed", "canceled": "Canceled", "cancelled": "Canceled"}
DEFAULT_RETRY_AFTER = 10.0  # ARM's guidance when a response carries no Retry-After


class Capture:
    """A `raw_response_hook` that keeps the response of the call it is passed to."""

    def __init__(self) -> None:
        self.response: Any = None

    def __call__(self, pipeline_response: PipelineResponse[Any, Any]) -> None:
        self.response = pipeline_response.http_response


def start(subscription_id: str, begin: Callable[..., Any]) -> OperationHandle | None:
    """Call a `begin_x` SDK method without polling; the handle of the operation it started, or
    None when ARM finished it synchronously (a 200 with no status URL)."""
    capture = Capture()
    begin(polling=False, raw_response_hook=capture)
    response = capture.response
    if response is None:
        return None
    headers = {k.lower(): v for k, v in response.headers.items()}
    retry_after = _retry_after(headers)
    if headers.get("azure-asyncoperation"):
        return OperationHandle(
            subscription_id=subscription_id, url=headers["azure-asyncoperation"], style="async", retry_after=retry_after
        )
    if headers.get("location") and response.status_code == 202:
        return OperationHandle(
            subscription_id=subscription_id, url=headers["location"], style="location", retry_after=retry_after
        )
    return None


def status(client: Any, handle: OperationHandle) -> OperationStatus:
    """Ask once where the operation stands, through the SDK client's own pipeline (its credential,
    retry policy and transport). An error reaching ARM is `Unknown`: the caller asks again later."""
    try:
        # The generated clients' raw-request API: `send_request` (older generations: `_send_request`).
        send = getattr(client, "send_request", None) or client._send_request
        response = send(HttpRequest("GET", handle.url))
    except AzureError as exc:
        return OperationStatus(status="Unknown", retry_after=handle.retry_after, error=describe_error(exc))
    headers = {k.lower(): v for k, v in response.headers.items()}
    retry_after = _retry_after(headers, handle.retry_after)
    code = response.status_code
    if handle.style == "location":
        if code == 202:
            return OperationStatus(status="InProgress", retry_after=retry_after)
        if code in (200, 201, 204):
            return OperationStatus(status="Succeeded", retry_after=retry_after)
        return OperationStatus(status="Failed", retry_after=retry_after, error=_error_text(response))
    if code >= 400:
        # 404: ARM forgot the operation (it keeps them for a while only), 5xx: ask again.
        return OperationStatus(status="Unknown", retry_after=retry_after, error=_error_text(response))
    body = _json(response)
    state = str(body.get("status", "")) if isinstance(body, dict) else ""
    terminal = TERMINAL.get(state.lower())
    if terminal is None:
        return OperationStatus(status="InProgress", retry_after=retry_after)
    error = _error_text(response) if terminal != "Succeeded" else ""
    return OperationStatus(status=terminal, retry_after=retry_after, error=error)  # type: ignore[arg-type]


def _retry_after(headers: dict[str, str], default: float = DEFAULT_RETRY_AFTER) -> float:
    try:
        return max(0.0, float(headers.get("retry-after", default)))
    except ValueError:
        return default  # an HTTP date: rare on ARM; the default interval is fine


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_text(response: Any) -> str:
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', response.status_code)}: {error.get('message', '')}".strip()
    return f"HTTP {response.status_code}"
