"""Run the emulator: `Emulator` for tests and tools, `run()` for the `regionshift emulator` command.

Two loopback servers: ARM over HTTPS (CA made at start, PEM written to the work directory) and the
App Service managed-identity endpoint over plain HTTP, as App Service serves it. `env` holds the
variables that point the app, the SDKs and the Azure CLI at them; nothing else changes.
"""

from __future__ import annotations

import io
import shlex
import signal
import socket
import struct
import sys
import tempfile
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from regionshift.errors import RegionshiftError
from regionshift.plan import Plan, load_plan
from regionshift_emulator.core.app import EmulatorApp
from regionshift_emulator.core.auth import identity_app
from regionshift_emulator.core.outages import DropConnection
from regionshift_emulator.core.scenario import Scenario, load_scenario, parse_scenario
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.core.tls import make_tls
from regionshift_emulator.seed import seed
from regionshift_emulator.services import SERVICES
from regionshift_emulator.services.dns.dns_server import EmulatorDnsServer
from regionshift_emulator.services.dns.models import DnsBackend
from regionshift_emulator.services.monitor import logs_app

CA_FILE = "emulator-ca.pem"


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the emulator keeps its own request log (`/_emulator/requests`).

    Connections are kept alive, as ARM's front door keeps them: a client that paid for a TLS
    handshake reuses it (HTTP/1.1, RFC 9112 section 9.3). werkzeug's dev server closes every
    connection because, after a response, it drains whatever the client sent next, which on a kept
    connection is the next request. So the body is read whole, by its Content-Length, before the
    app runs, and the drain is given nothing to read; a request whose length is not known (a
    chunked body) still closes its connection. The server never closes an idle connection itself
    (a close racing a client's reuse would look like a region that does not answer); `stop()`
    closes them all.

    A `DropConnection` out of the app (an outage or fault in `reset` mode, or a held request whose
    client left) aborts the TCP connection: SO_LINGER 0, so closing it sends RST and the client
    sees a reset, not an answer.
    """

    _kept: io.BufferedIOBase | None = None  # the connection's reader, while the app runs

    def setup(self) -> None:
        super().setup()
        # werkzeug writes the head and the body apart: on a kept connection Nagle's algorithm would
        # hold the body until the client's delayed ACK (40 ms a request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _OPEN.add(self.connection)

    def finish(self) -> None:
        _OPEN.discard(self.connection)
        super().finish()

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        length = self.headers.get("Content-Length")
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower() or (length and not length.isdigit()):
            self.close_connection = True
            return environ
        environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length or 0)))
        self._kept, self.rfile = self.rfile, io.BytesIO()  # werkzeug's drain reads this, not the next request
        return environ

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            if self._kept is not None:
                self.rfile, self._kept = self._kept, None

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and not self.close_connection:
            return  # werkzeug's "always close"; the request asked to keep it (HTTP/1.1 without Connection: close)
        super().send_header(keyword, value)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        if isinstance(error, DropConnection):
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass  # already gone


# Connections being served, by every emulator in the process: `stop()` closes them, so a kept
# connection is never answered by an emulator that has stopped.
_OPEN: weakref.WeakSet[socket.socket] = weakref.WeakSet()


def _close_connections(port: int) -> None:
    for sock in list(_OPEN):
        try:
            if sock.getsockname()[1] == port:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


class Emulator:
    """The emulator seeded from `plan`. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self,
        plan: Plan,
        scenario: Scenario | Mapping[str, Any] | None = None,
        port: int = 0,
        workdir: Path | None = None,
    ) -> None:
        self.plan = plan
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="regionshift-emulator-"))
        wanted = _scenario(scenario)  # validated before anything starts
        # Seed the pre-disaster state with every region up, then let the scenario break things.
        self.state = EmulatorState(plan, Scenario(), SERVICES)
        seed(self.state, plan, wanted)
        self.state.set_scenario(wanted)
        self.ca_path = self.workdir / CA_FILE
        self._port = port
        self._servers: list[BaseWSGIServer] = []
        # The DNS server answering for the emulated Azure DNS zones (UDP + TCP, loopback).
        self.dns_server = EmulatorDnsServer(self.state.backend(DnsBackend))
        self._threads: list[threading.Thread] = []

    def start(self) -> Emulator:
        if self._servers:
            return self
        self.state.released.clear()
        tls = make_tls(self.ca_path)
        arm = make_server(
            "127.0.0.1",
            self._port,
            EmulatorApp(self.state, SERVICES),
            threaded=True,
            ssl_context=tls,
            request_handler=_QuietHandler,
        )
        identity = make_server(
            "127.0.0.1", 0, identity_app(self.state.issuer), threaded=True, request_handler=_QuietHandler
        )
        # The Log Analytics query API lives on a host of its own in Azure (api.loganalytics.io).
        logs = make_server(
            "127.0.0.1", 0, logs_app(self.state), threaded=True, ssl_context=tls, request_handler=_QuietHandler
        )
        self._servers = [arm, identity, logs]
        self.dns_server.start()
        for server in self._servers:
            # A short poll interval makes stop() quick (tests start many emulators).
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="regionshift-emulator", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.state.released.set()  # held requests let go, so their threads end
        for server in self._servers:
            server.shutdown()
            port = server.server_port
            server.server_close()
            _close_connections(port)
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []
        self.dns_server.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """`https://127.0.0.1:PORT/` (the ARM endpoint)."""
        return f"https://127.0.0.1:{self._require(0).server_port}/"

    @property
    def identity_endpoint(self) -> str:
        return f"http://127.0.0.1:{self._require(1).server_port}/msi/token"

    @property
    def admin_url(self) -> str:
        return self.url + "_emulator/"

    @property
    def env(self) -> dict[str, str]:
        return {
            "REGIONSHIFT_ARM_ENDPOINT": self.url,
            "REGIONSHIFT_CA_BUNDLE": str(self.ca_path),
            "REQUESTS_CA_BUNDLE": str(self.ca_path),
            "IDENTITY_ENDPOINT": self.identity_endpoint,
            "IDENTITY_HEADER": self.state.issuer.identity_header,
            "REGIONSHIFT_EMULATOR_ADMIN": self.admin_url,
            "REGIONSHIFT_EMULATOR_DNS": self.dns_server.address,
            # The app verifies DNS switches on these name servers instead of the zones' (regionshift.azure.dns).
            "REGIONSHIFT_DNS_SERVERS": self.dns_server.address,
            "REGIONSHIFT_LOGS_ENDPOINT": f"https://127.0.0.1:{self._require(2).server_port}",
        }

    def write_env_file(self, path: Path) -> Path:
        """Write `export NAME=value` lines a shell can source."""
        lines = [f"export {k}={shlex.quote(v)}" for k, v in self.env.items()]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return Path(path)

    def set_scenario(self, scenario: Scenario | Mapping[str, Any] | None) -> None:
        """Replace the scenario (InputError naming the key when it is invalid)."""
        self.state.set_scenario(_scenario(scenario))

    def advance(self, seconds: float) -> None:
        """Jump the emulated clock ahead and apply what becomes due."""
        self.state.clock.advance(seconds)
        self.state.tick()

    def _require(self, index: int) -> BaseWSGIServer:
        if not self._servers:
            raise RuntimeError("the emulator is not started")
        return self._servers[index]


def _scenario(value: Scenario | Mapping[str, Any] | None) -> Scenario:
    if isinstance(value, Scenario):
        return value
    return parse_scenario(dict(value) if value is not None else {})


def run(plan_path: Path, port: int, env_file: Path, scenario_path: Path | None = None) -> int:
    """Serve until SIGINT/SIGTERM. Writes the CA beside `env_file`, then `env_file` once ready."""
    try:
        plan = load_plan(plan_path)
        scenario = load_scenario(scenario_path) if scenario_path else Scenario()
    except RegionshiftError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    env_file = Path(env_file)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Emulator(plan, scenario, port=port, workdir=env_file.parent) as emulator:
            emulator.write_env_file(env_file)
            print(f"emulator ready at {emulator.url} (env: {env_file})", file=sys.stderr, flush=True)
            stop.wait()
    except OSError as exc:
        print(f"error: cannot serve on port {port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
