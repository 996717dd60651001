"""Instance listing in pages of 100 with a continuation token, through the host's API and the
extension's HTTP API, with its filters; and the SDK's get_status_all, which reads one page only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import azure.durable_functions as df
import pytest
from waiting import until

from regionshift.host import DurableHost, RuntimeStatus

WAIT = 60


def start_many(host: DurableHost, count: int, prefix: str = "run-") -> list[str]:
    ids = [host.start_new("sequence", [i], instance_id=f"{prefix}{i:04}") for i in range(count)]
    for instance_id in ids:
        host.wait_for_completion(instance_id, WAIT)
    return ids


def every_page(host: DurableHost, **filters: Any) -> tuple[list[str], int]:
    seen: list[str] = []
    token, pages = None, 0
    while True:
        page = host.list_instances(continuation=token, **filters)
        pages += 1
        seen += [s.instance_id for s in page]
        token = page.continuation
        if token is None:
            return seen, pages


def test_listing_comes_in_pages_of_100_in_instance_id_order(host: DurableHost) -> None:
    ids = start_many(host, 230)
    first = host.list_instances()
    assert len(first) == 100 and first.continuation
    assert [s.instance_id for s in first] == sorted(ids)[:100]
    seen, pages = every_page(host)
    assert seen == sorted(ids)
    assert pages == 3


def test_a_full_last_page_still_carries_a_token_and_the_next_page_is_empty(host: DurableHost) -> None:
    start_many(host, 20)
    second = host.list_instances(page_size=10, continuation=host.list_instances(page_size=10).continuation)
    assert len(second) == 10 and second.continuation  # only a page without a token is the last
    last = host.list_instances(page_size=10, continuation=second.continuation)
    assert list(last) == [] and last.continuation is None


def test_listing_filters_by_prefix_status_and_creation_time(host: DurableHost) -> None:
    done = start_many(host, 3, prefix="done-")
    waiting = host.start_new("approval", instance_id="waiting-1")
    until(lambda: host.get_status(waiting).runtime_status is RuntimeStatus.RUNNING, "the waiting run")
    assert [s.instance_id for s in host.list_instances(prefix="done-")] == done
    assert [s.instance_id for s in host.list_instances(statuses=[RuntimeStatus.RUNNING])] == [waiting]
    created = host.get_status(waiting).created_at
    assert [s.instance_id for s in host.list_instances(created_from=created)] == [waiting]
    assert [s.instance_id for s in host.list_instances(created_to=created - timedelta(microseconds=1))] == done
    assert [s.instance_id for s in host.list_instances(name="approval")] == [waiting]


def test_a_continuation_token_the_host_did_not_issue_is_refused(host: DurableHost) -> None:
    with pytest.raises(ValueError, match="continuation token is not one this host issued"):
        host.list_instances(continuation="not-a-token")


def _get(url: str, token: str | None = None) -> tuple[int, list[dict[str, Any]], str | None]:
    request = urllib.request.Request(url, headers={"x-ms-continuation-token": token} if token else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read()), response.headers.get("x-ms-continuation-token")


def test_the_http_api_pages_with_top_and_the_continuation_header(host: DurableHost) -> None:
    ids = start_many(host, 12)
    rpc = json.loads(host.serve_client_api())["rpcBaseUrl"]
    url = f"{rpc}instances/?top=5&instanceIdPrefix=run-&runtimeStatus=Completed,Failed"
    code, body, token = _get(url)
    seen = [s["instanceId"] for s in body]
    while token:
        code, body, token = _get(url, token)
        seen += [s["instanceId"] for s in body]
    assert code == 200 and seen == sorted(ids)
    assert token == ""  # the extension sends the header on the last page too, with no token in it


def test_the_http_api_names_a_filter_it_cannot_read(host: DurableHost) -> None:
    rpc = json.loads(host.serve_client_api())["rpcBaseUrl"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{rpc}instances/?runtimeStatus=Sleeping", timeout=30)
    assert refused.value.code == 400
    assert "runtimeStatus Sleeping is not a runtime status" in json.loads(refused.value.read())["ExceptionMessage"]


def test_the_sdks_get_status_all_reads_only_the_first_page(run, host: DurableHost) -> None:
    """Why `GET /api/runs` may not rely on it: with more than 100 instances it sees 100."""
    start_many(host, 130)
    binding = host.serve_client_api()

    async def scenario() -> int:
        return len(await df.DurableOrchestrationClient(binding).get_status_all())

    assert run(scenario()) == 100
