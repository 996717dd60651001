"""Routes: ARM path patterns matched case-insensitively, and the request object handlers receive.

werkzeug's router matches static path parts case-sensitively, but ARM ids are case-insensitive
(`resourceGroups` and `resourcegroups` both arrive), so patterns are matched segment by segment
here: static segments compared lower-cased, `{name}` segments captured as sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.errors import BadRequest, InvalidRequestContent, PreconditionFailed
from regionshift_emulator.core.store import group_id

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

B = TypeVar("B")
Handler = Callable[["ArmRequest"], Response]


@dataclass(frozen=True)
class Rule:
    """`pattern` like `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}`."""

    pattern: str
    methods: Sequence[str]
    handler: Handler
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.pattern.strip("/").split("/")))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for seg, part in zip(self.segments, parts, strict=True):
            if seg.startswith("{") and seg.endswith("}"):
                if not part:
                    return None
                params[seg[1:-1]] = part
            elif seg.lower() != part.lower():
                return None
        return params


class Router:
    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def add(self, rules: Sequence[Rule]) -> None:
        self.rules.extend(rules)

    def match(self, method: str, path: str) -> tuple[Rule | None, dict[str, str], bool]:
        """(rule, params, path_known): path_known without rule means the method is not allowed."""
        parts = path.strip("/").split("/")
        known = False
        for rule in self.rules:
            params = rule.match(parts)
            if params is None:
                continue
            known = True
            if method in rule.methods or (method == "HEAD" and "HEAD" in rule.methods):
                return rule, params, True
        return None, {}, known


@dataclass
class ArmRequest:
    """What a handler gets: the werkzeug request, the path parameters, the emulator state."""

    request: Request
    params: dict[str, str]
    state: EmulatorState

    @property
    def api_version(self) -> str:
        return self.request.args.get("api-version", "")

    @property
    def base_url(self) -> str:
        return self.request.host_url

    def backend(self, cls: type[B]) -> B:
        return self.state.backend(cls)

    def resource_id(self, provider_path: str) -> str:
        """The id of the resource this path names: the path's subscription and resource group,
        then `/providers/<provider_path>` (e.g. `Microsoft.Sql/servers/sql-eus2`)."""
        p = self.params
        return f"{group_id(p['subscriptionId'], p['resourceGroupName'])}/providers/{provider_path}"

    def json(self, *, required: bool = True) -> dict[str, Any]:
        """The JSON object body, or 400 InvalidRequestContent."""
        raw = self.request.get_data(as_text=True)
        if not raw.strip():
            if required:
                raise InvalidRequestContent(
                    "The request content was invalid and could not be deserialized: empty body."
                )
            return {}
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidRequestContent(
                f"The request content was invalid and could not be deserialized: {exc.msg} (position {exc.pos})."
            ) from None
        if not isinstance(body, dict):
            raise InvalidRequestContent("The request content was invalid and could not be deserialized: not an object.")
        return body

    def check_if_match(self, etag: str) -> None:
        """412 when If-Match names another etag (`*` matches any existing resource)."""
        wanted = self.request.headers.get("If-Match")
        if wanted and wanted.strip() != "*" and wanted.strip() != etag:
            raise PreconditionFailed(
                f"The specified precondition 'If-Match = {wanted}' is not satisfied by the current etag."
            )


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json; charset=utf-8")


def empty_response(status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(b"", status=status, headers=headers)


def paged_response(req: ArmRequest, items: Sequence[Any], size: int, render: Callable[[Any], Any]) -> Response:
    """One page of an ARM list (`x-ms-pageable`): `value`, and a `nextLink` that carries on from
    `$skiptoken` while more is left. A token this list did not give out is a 400."""
    token = req.request.args.get("$skiptoken", "0")
    if not token.isdigit():
        raise BadRequest(f"$skiptoken {token!r} is not one this list gave out.")
    start = int(token)
    page: dict[str, Any] = {"value": [render(item) for item in items[start : start + size]]}
    if start + size < len(items):
        args = {**{k: v for k, v in req.request.args.items() if k != "$skiptoken"}, "$skiptoken": start + size}
        page["nextLink"] = f"{req.request.base_url}?{urlencode(args, safe='$')}"
    return json_response(page)
