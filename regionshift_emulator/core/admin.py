"""Admin API under `/_emulator/` for tests, benchmarks and the CLI: no ARM auth, loopback callers only.

GET  /_emulator/scenario          the scenario in force
PUT  /_emulator/scenario          replace it (JSON body, same schema as the YAML file)
GET  /_emulator/state             everything: clock, scenario, resources, operations, services
GET  /_emulator/requests          the ARM request log (method, path, query, status, time)
POST /_emulator/requests/clear    empty the log
POST /_emulator/clock             {"advance": seconds} jumps the emulated clock ahead
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from regionshift.errors import InputError
from regionshift_emulator.core.routing import json_response
from regionshift_emulator.core.scenario import parse_scenario
from regionshift_emulator.core.state import EmulatorState

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _error(status: int, code: str, message: str) -> Response:
    return json_response({"error": {"code": code, "message": message}}, status)


def _body(request: Request) -> Any:
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"body is not valid JSON: {exc.msg} (position {exc.pos})") from None


def handle(state: EmulatorState, request: Request) -> Response:
    if request.remote_addr not in _LOOPBACK:
        return _error(403, "Forbidden", "the emulator admin API answers loopback callers only")
    route = (request.method, request.path.rstrip("/").removeprefix("/_emulator/"))
    try:
        if route == ("GET", "scenario"):
            return json_response(state.scenario.model_dump(mode="json", by_alias=True))
        if route == ("PUT", "scenario"):
            state.set_scenario(parse_scenario(_body(request), "scenario"))
            return json_response(state.scenario.model_dump(mode="json", by_alias=True))
        if route == ("GET", "state"):
            state.tick()
            return json_response(state.snapshot())
        if route == ("GET", "requests"):
            with state.lock:
                return json_response({"value": list(state.request_log)})
        if route == ("POST", "requests/clear"):
            with state.lock:
                state.request_log.clear()
            return json_response({"value": []})
        if route == ("POST", "clock"):
            body = _body(request) or {}
            seconds = body.get("advance") if isinstance(body, dict) else None
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
                raise InputError("advance: must be a number of emulated seconds >= 0")
            state.clock.advance(float(seconds))
            state.tick()
            return json_response({"now": state.clock.now(), "utc": state.clock.iso()})
    except InputError as exc:
        return _error(400, "InvalidScenario" if route[1] == "scenario" else "InvalidRequest", str(exc))
    return _error(404, "NotFound", f"no admin endpoint {request.method} {request.path}")
