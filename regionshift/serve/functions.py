"""The app's HTTP and timer functions, indexed the way the Functions host indexes them.

`get_functions()` may run only once per app object (its name check keeps state), and the
embedded Durable host also indexes the app; so this index runs it with that state set aside
and restored, leaving the app as it found it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DURABLE_CLIENT = "durableClient"


@dataclass(frozen=True)
class HttpFunction:
    name: str
    route: str
    pattern: re.Pattern[str]
    methods: tuple[str, ...]
    auth_level: str  # ANONYMOUS | FUNCTION | ADMIN
    request_param: str
    client_param: str | None
    func: Any


@dataclass(frozen=True)
class TimerFunction:
    name: str
    schedule: str  # may be `%SETTING%`
    timer_param: str
    client_param: str | None
    func: Any


def _route_pattern(route: str) -> re.Pattern[str]:
    # `{name}` and `{name:constraint}` become one path segment; `{*rest}` takes the remainder.
    out = ""
    for literal, param in re.findall(r"([^{]*)(\{[^}]*\})?", route.strip("/")):
        out += re.escape(literal)
        if param:
            name = param[1:-1].split(":")[0].split("=")[0]
            out += f"(?P<{name.lstrip('*')}>.+)" if name.startswith("*") else f"(?P<{name}>[^/]+)"
    return re.compile(f"^{out}$")


def index_app(app: Any) -> tuple[list[HttpFunction], list[TimerFunction]]:
    saved = getattr(app, "functions_bindings", None)
    app.functions_bindings = {}
    try:
        functions = app.get_functions()
    finally:
        app.functions_bindings = saved
    http: list[HttpFunction] = []
    timers: list[TimerFunction] = []
    for function in functions:
        trigger = function.get_trigger()
        client = next((b.name for b in function.get_bindings() if b.type == DURABLE_CLIENT), None)
        name = function.get_function_name()
        if trigger.type == "httpTrigger":
            route = trigger.route or name
            methods = tuple(str(getattr(m, "value", m)).upper() for m in (trigger.methods or ["GET", "POST"]))
            level = str(getattr(trigger.auth_level, "value", trigger.auth_level) or "FUNCTION").upper()
            http.append(
                HttpFunction(
                    name,
                    route,
                    _route_pattern(route),
                    methods,
                    level,
                    trigger.name,
                    client,
                    function.get_user_function(),
                )
            )
        elif trigger.type == "timerTrigger":
            timers.append(TimerFunction(name, trigger.schedule, trigger.name, client, function.get_user_function()))
    return http, timers
