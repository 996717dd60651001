"""A small local Functions host for the app's HTTP routes and timers.

It does what the Azure Functions host does for these triggers, and no more: routes `/api/...`
to the registered handler as an `azure.functions.HttpRequest`, hands durable-client functions
the client binding JSON served by the embedded Durable host (so they build the real
`DurableOrchestrationClient`), runs async handlers on one event loop as the Python worker does,
enforces function keys (header `x-functions-key` or `?code=`, compared in constant time) and a
request size limit, strips the App Service authentication headers a caller could forge (unless a
reverse proxy it is told to trust vouches for the request: `REGIONSHIFT_TRUSTED_PROXY_KEY`, see
`regionshift.approvals.identity`), fires
timers on their NCRONTAB schedule, and offers `POST /admin/functions/{name}` (master key) to
run a non-HTTP function now, as the real host's admin API does.

The HTTP server is built for a burst of alerts from one outage: a listen backlog of 128 (the
standard library's default of 5 reset 14 of 30 concurrent alerts), a thread per connection, and a
socket timeout on every connection so a client that stops sending cannot hold a thread forever.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func
from azure.functions.timer import TimerRequest

from regionshift.approvals.identity import PRINCIPAL_HEADERS, PROXY_KEY_HEADER, trusted_proxy_key
from regionshift.errors import InputError
from regionshift.readiness_watch import CHECK_SCHEDULE_SETTING, DEFAULT_CHECK_SCHEDULE
from regionshift.serve.functions import HttpFunction, TimerFunction, index_app
from regionshift.serve.ncrontab import parse_schedule

log = logging.getLogger("regionshift.serve")
MAX_REQUEST_BYTES = 1024 * 1024
# Schedules that run unless set: in Azure, infra sets these app settings to the same values.
DEFAULT_SCHEDULES = {CHECK_SCHEDULE_SETTING: DEFAULT_CHECK_SCHEDULE}


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _worker_loop() -> asyncio.AbstractEventLoop:
    """The one event loop of this process for async handlers, as the Python worker has one.

    One per process, not per server: the Durable SDK keeps an aiohttp session that belongs to
    the loop it was first used on."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="functions-loop", daemon=True).start()
        return _loop


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _json(status: int, body: dict[str, Any]) -> Answer:
    return Answer(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class FunctionsHost:
    """Routes requests to the app's functions. `handle` is the whole request path, so tests can
    drive it in process; `serve` puts it behind an HTTP server on loopback."""

    def __init__(
        self,
        app: Any,
        client_binding: str | None,
        *,
        function_key: str,
        trust_principal_headers: bool = False,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.http, self.timers = index_app(app)
        self.client_binding = client_binding
        self._key = function_key.encode()
        self._trust_principal = trust_principal_headers
        self.max_request_bytes = max_request_bytes
        self._environ = environ if environ is not None else os.environ
        self._proxy_key = trusted_proxy_key(self._environ)  # None unless told to trust a proxy
        self._loop = _worker_loop()
        self._stop = threading.Event()
        self._timer_thread: threading.Thread | None = None

    # -- requests ---------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        try:
            return self._handle(method.upper(), target, {k.lower(): v for k, v in headers.items()}, body)
        except Exception:
            log.exception("function failed on %s %s", method, urlsplit(target).path)
            return _json(500, {"error": "the function failed; see the server log"})

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        url = urlsplit(target)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if len(body) > self.max_request_bytes:
            return _json(413, {"error": f"request body is over {self.max_request_bytes} bytes"})
        if url.path.startswith("/admin/functions/") and method == "POST":
            if not self._key_ok(headers, params):
                return _json(401, {"error": "a valid function key is required (x-functions-key or ?code=)"})
            return self.run_function(unquote(url.path[len("/admin/functions/") :]))
        if not url.path.startswith("/api/"):
            return _json(404, {"error": "not found; routes live under /api/"})
        path = unquote(url.path[len("/api/") :]).strip("/")
        matches = [(f, m) for f in self.http if (m := f.pattern.match(path))]
        if not matches:
            return _json(404, {"error": f"no function serves /api/{path[:200]}"})
        chosen = next(((f, m) for f, m in matches if method in f.methods), None)
        if chosen is None:
            allowed = sorted({m for f, _ in matches for m in f.methods})
            return Answer(
                405,
                {"Allow": ", ".join(allowed), "Content-Type": "application/json"},
                json.dumps({"error": f"{method} is not allowed here"}).encode(),
            )
        function, match = chosen
        if function.auth_level != "ANONYMOUS" and not self._key_ok(headers, params):
            return _json(401, {"error": "a valid function key is required (x-functions-key or ?code=)"})
        if not (self._trust_principal or self._proxy_vouches(headers)):
            for name in PRINCIPAL_HEADERS:
                headers.pop(name, None)
        headers.pop(PROXY_KEY_HEADER, None)  # the proxy's secret never reaches a function
        params.pop("code", None)
        request = func.HttpRequest(
            method,
            f"http://localhost{url.path}",
            headers=headers,
            params=params,
            route_params=match.groupdict(),
            body=body,
        )
        response = self._invoke(function, {function.request_param: request})
        if not isinstance(response, func.HttpResponse):
            return _json(500, {"error": "the function returned no HTTP response"})
        out = {k: v for k, v in response.headers.items()}
        if response.mimetype:
            out.setdefault("Content-Type", f"{response.mimetype}; charset={response.charset or 'utf-8'}")
        return Answer(response.status_code, out, response.get_body())

    def _proxy_vouches(self, headers: Mapping[str, str]) -> bool:
        """The request came through the trusted reverse proxy: it carries the proxy's key."""
        if self._proxy_key is None:
            return False
        return hmac.compare_digest(headers.get(PROXY_KEY_HEADER, "").encode(), self._proxy_key)

    def _key_ok(self, headers: Mapping[str, str], params: Mapping[str, str]) -> bool:
        given = (headers.get("x-functions-key") or params.get("code") or "").encode()
        return hmac.compare_digest(given, self._key)

    def _invoke(self, function: HttpFunction | TimerFunction, kwargs: dict[str, Any]) -> Any:
        if function.client_param:
            if self.client_binding is None:
                raise RuntimeError("no Durable client binding: start the embedded host first")
            kwargs[function.client_param] = self.client_binding
        result = function.func(**kwargs)
        if asyncio.iscoroutine(result):
            # One loop for every async handler, as the Python worker runs them.
            return asyncio.run_coroutine_threadsafe(result, self._loop).result()
        return result

    # -- timers -----------------------------------------------------------------------------

    def schedule_of(self, timer: TimerFunction) -> str:
        """A timer's NCRONTAB schedule, with `%SETTING%` read from the environment (KeyError when it
        is unset and has no default: the timer is off, as the drill timer is until it is set)."""
        text = timer.schedule
        if text.startswith("%") and text.endswith("%"):
            setting = text.strip("%")
            value = self._environ.get(setting) or DEFAULT_SCHEDULES.get(setting)
            if not value:
                raise KeyError(setting)
            return value
        return text

    def run_function(self, name: str) -> Answer:
        timer = next((t for t in self.timers if t.name == name), None)
        if timer is None:
            return _json(404, {"error": f"no timer function named {name[:100]!r}"})
        self._invoke(timer, {timer.timer_param: TimerRequest(past_due=False)})
        return _json(202, {"ran": name})

    def start_timers(self) -> None:
        self._timer_thread = threading.Thread(target=self._timer_loop, name="functions-timers", daemon=True)
        self._timer_thread.start()

    def _timer_loop(self) -> None:
        schedules = {}
        for timer in self.timers:
            try:
                schedules[timer.name] = (timer, parse_schedule(self.schedule_of(timer)))
            except KeyError as exc:
                log.warning("timer %s is off: app setting %s is not set", timer.name, exc.args[0])
            except Exception as exc:
                log.error("timer %s is off: %s", timer.name, exc)
        if not schedules:
            return
        due = {name: s.next_after(datetime.now(UTC)) for name, (_, s) in schedules.items()}
        while not self._stop.is_set():
            name = min(due, key=lambda n: due[n])
            wait = (due[name] - datetime.now(UTC)).total_seconds()
            if wait > 0 and self._stop.wait(min(wait, 1.0)):
                return
            if datetime.now(UTC) < due[name]:
                continue
            timer, schedule = schedules[name]
            try:
                self._invoke(timer, {timer.timer_param: TimerRequest(past_due=False)})
            except Exception:
                log.exception("timer %s failed", name)
            due[name] = schedule.next_after(datetime.now(UTC))

    def close(self) -> None:
        self._stop.set()


# An oversized body is read and dropped up to this size before the 413; beyond it the connection
# is simply closed (the client may then see a reset rather than the answer).
DISCARD_LIMIT_BYTES = 16 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    host: FunctionsHost  # set on the subclass made per server

    def _serve(self) -> None:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") and not length_text:
            return self._send(_json(411, {"error": "send a Content-Length; chunked bodies are refused"}))
        try:
            length = int(length_text or 0)
        except ValueError:
            return self._send(_json(400, {"error": "Content-Length is not a number"}))
        if length > self.host.max_request_bytes:
            # Read (and drop) what the client is sending before answering, up to a bound: closing
            # on a client still writing resets the connection and it never sees the 413.
            self._discard(min(length, DISCARD_LIMIT_BYTES))
            self.close_connection = True
            return self._send(_json(413, {"error": f"request body is over {self.host.max_request_bytes} bytes"}))
        body = self.rfile.read(length) if length > 0 else b""
        self._send(self.host.handle(self.command, self.path, dict(self.headers.items()), body))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 64 * 1024))
            if not chunk:
                return
            length -= len(chunk)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:  # the query string may carry a key
        log.info("%s %s -> %s", self.command, urlsplit(self.path).path, args[1] if len(args) > 1 else "")


# Seconds a connection may stay silent (while the request is read, or between requests on a
# kept-alive connection) before it is closed; Azure Monitor posts a whole alert at once.
REQUEST_TIMEOUT_SECONDS = 30.0


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the listen backlog; socketserver's default of 5 resets bursts
    daemon_threads = True


def bind(address: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Take the port now (serving starts later, in `serve_http`). A port in use, or one this user
    may not bind, is an InputError saying so."""
    try:
        return _Server((address, port), _Handler, bind_and_activate=True)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} on {address} is in use (is another regionshift serve running?); "
                "choose another with --port"
            ) from None
        raise InputError(f"cannot serve on {address}:{port}: {exc.strerror or exc}") from None


def serve_http(
    host: FunctionsHost,
    address: str = "127.0.0.1",
    port: int = 0,
    request_timeout: float = REQUEST_TIMEOUT_SECONDS,
    server: ThreadingHTTPServer | None = None,
) -> ThreadingHTTPServer:
    """Serve `host` on a background thread, on `server` (from `bind`) or a new one; the caller
    shuts it down."""
    server = server or bind(address, port)
    server.RequestHandlerClass = type("Handler", (_Handler,), {"host": host, "timeout": request_timeout})
    threading.Thread(target=server.serve_forever, name="functions-http", daemon=True).start()
    return server
