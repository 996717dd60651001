"""`regionshift serve` under load and abuse: a burst of concurrent alerts is answered (no resets), a
silent connection is dropped after the socket timeout, a busy port is one line, and one broken plan
file in the served folder does not break the others' starts."""

from __future__ import annotations

import http.client
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_stack import EXAMPLE, KEY, Stack

from regionshift.errors import InputError
from regionshift.serve import serve_http

ALERT = Path(__file__).parent.parent / "fixtures" / "alerts" / "metric_static.json"
BURST = 30


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    s = Stack(tmp_path, monkeypatch, {})
    yield s
    s.close()


def test_thirty_concurrent_alerts_are_all_answered_and_none_is_reset(stack: Stack) -> None:
    body = ALERT.read_bytes()
    go = threading.Barrier(BURST)
    answers: list[int | str] = []
    lock = threading.Lock()

    def post() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", stack._http.server_port, timeout=60)
        go.wait()  # every client connects at the same moment
        try:
            connection.request("POST", "/api/alerts", body, {"x-functions-key": KEY})
            outcome: int | str = connection.getresponse().status
        except OSError as exc:  # ConnectionResetError, BrokenPipeError, ...
            outcome = type(exc).__name__
        finally:
            connection.close()
        with lock:
            answers.append(outcome)

    threads = [threading.Thread(target=post) for _ in range(BURST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(map(str, answers)) == ["202"] * BURST


def test_a_connection_that_sends_nothing_is_closed_after_the_socket_timeout(stack: Stack) -> None:
    server = serve_http(stack.functions, request_timeout=0.5)
    try:
        with socket.create_connection(("127.0.0.1", server.server_port)) as idle:
            idle.sendall(b"POST /api/alerts HTTP/1.1\r\nHost: x\r\n")  # and then nothing
            idle.settimeout(30)  # a bound on the wait, far above the server's timeout
            assert idle.recv(1024) == b""  # the server hung up on it
    finally:
        server.shutdown()
        server.server_close()


def test_a_busy_port_is_one_clear_error(stack: Stack) -> None:
    with pytest.raises(InputError) as caught:
        serve_http(stack.functions, port=stack._http.server_port)
    assert str(caught.value) == (
        f"port {stack._http.server_port} on 127.0.0.1 is in use (is another regionshift serve running?); "
        "choose another with --port"
    )


def test_one_broken_plan_in_the_served_folder_does_not_break_the_others(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(tmp_path / "plan.yaml", folder / "contoso.yaml")
    shutil.copy(EXAMPLE, folder / "broken.yaml")
    # A list as a key: PyYAML builds it, and the plan loader used to raise TypeError on it.
    with (folder / "broken.yaml").open("a") as f:
        f.write("[oops]: 1\n")
    monkeypatch.setenv("REGIONSHIFT_PLANS", str(folder))
    status, body = stack.call("POST", "/api/plans/contoso-web/drill")
    assert (status, body["instance_id"]) == (202, "drill-contoso-web")
    status, body = stack.call("POST", "/api/plans/broken/drill")
    assert status == 404 and body["error"].startswith("no plan named 'broken'; known: contoso-web")
