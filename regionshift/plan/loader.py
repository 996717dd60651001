"""Load a plan file: YAML text → typed `Plan`, or a `PlanError` with one line per problem.

Problems name the key path as a user would write it (`scale_sets[0].capacity: must be at least
1`). Duplicate YAML keys are errors too: PyYAML would silently keep the last one. Whatever the
file holds (a key that is a list, nesting a thousand deep, megabytes of text), the answer is a
`PlanError`, never another exception: `serve` loads every plan in a folder, and one broken file
must not break the others.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from regionshift.errors import PlanError
from regionshift.plan.models import Plan


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice."""


# A plan is a few kilobytes per hundred resources; anything this large is not one.
MAX_PLAN_BYTES = 10 * 1024 * 1024


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):  # every key of a plan is a name; `[a]: b` or `1: b` is a slip
            raise yaml.constructor.ConstructorError(
                None, None, f"{_shown(key_node, key)} is not a key name (line {line})"
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r} (line {line})")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _shown(node: yaml.Node, value: Any) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file."""
    source = str(path)
    try:
        if Path(path).stat().st_size > MAX_PLAN_BYTES:
            raise PlanError(source, [f"is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB: not a plan file"])
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(source, ["file not found"]) from None
    except IsADirectoryError:
        raise PlanError(source, ["is a folder, not a plan file"]) from None
    except UnicodeDecodeError:
        raise PlanError(source, ["cannot be read: it is not UTF-8 text"]) from None
    except OSError as exc:
        raise PlanError(source, [f"cannot be read: {exc.strerror or exc}"]) from None
    return parse_plan(text, source)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Validate plan YAML text."""
    if len(text) > MAX_PLAN_BYTES:
        raise PlanError(source, [f"is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB: not a plan file"])
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        raise PlanError(source, [f"not valid YAML: {_yaml_reason(exc)}"]) from None
    except RecursionError:
        raise PlanError(source, ["not valid YAML: nested too deeply"]) from None
    if not isinstance(data, dict):
        raise PlanError(source, ["must be a YAML mapping of plan keys (name, regions, ...)"])
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(source, format_validation_errors(exc)) from None
    except RecursionError:  # a YAML alias that contains itself (`a: &x [*x]`)
        raise PlanError(source, ["refers to itself (a YAML alias inside its own anchor)"]) from None


def format_validation_errors(exc: ValidationError) -> list[str]:
    """One `key.path: reason` line per pydantic error, in the user's vocabulary."""
    lines = []
    for error in exc.errors(include_url=False):
        path = _key_path(error["loc"])
        reason = _reason(error)
        lines.append(f"{path}: {reason}" if path else reason)
    return lines


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"str", "list[str]"}:  # pydantic's union branch labels are not keys
            continue
        else:
            shown = str(part) if _PLAIN_KEY.fullmatch(str(part)) else repr(str(part)[:40])
            out += f".{shown}" if out else shown
    return out


# A key shown as it is written; any other (a newline, a space, quotes) is shown quoted, so that a
# problem stays one line.
_PLAIN_KEY = re.compile(r"[\w-]+")


def _reason(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} is not a valid name here (allowed: {ctx['pattern']})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem
