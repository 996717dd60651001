"""Reading the Bicep in infra/ for tests: pycep-parser's JSON form of each file, and main.bicepparam.

Bicep cannot be compiled here (the CLI downloads a binary), so tests read the parsed source: pycep
turns a .bicep file into a dict of parameters, variables, resources, modules and outputs, with
expressions as nested operator/function dicts. `ref` reads the `a.outputs.b` chains back as text.
A .bicepparam file is a `using` line plus `param name = value` lines; values that are literals are
read as JSON, `readEnvironmentVariable(...)` calls are kept as text.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, cast

from pycep import BicepParser

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
BICEP_FILES = sorted([INFRA / "main.bicep", *(INFRA / "modules").glob("*.bicep")])
_PARAM_LINE = re.compile(r"^param\s+(\w+)\s*=\s*(.+?)\s*$")


@cache
def parse(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], BicepParser().parse(file_path=path))


def ref(expr: Any) -> str:
    """`identity.outputs.principalId` for pycep's nested property accessors; other values as JSON."""
    if isinstance(expr, dict) and "operator" in expr and expr["operator"]["type"] == "property_accessor":
        ops = expr["operator"]["operands"]
        return f"{ref(ops['operand_1'])}.{ref(ops['operand_2'])}"
    return expr if isinstance(expr, str) else json.dumps(expr)


def bicepparam(path: Path = INFRA / "main.bicepparam") -> dict[str, Any]:
    """`param name = value` lines of a .bicepparam file (one line each, as ours are written)."""
    values: dict[str, Any] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PARAM_LINE.match(line)
        if match:
            name, raw = match.groups()
            try:
                values[name] = json.loads(raw.replace("'", '"'))
            except json.JSONDecodeError:
                values[name] = raw  # an expression such as readEnvironmentVariable('X')
    return values


def roles() -> dict[str, Any]:
    return json.loads((INFRA / "roles.json").read_text(encoding="utf-8"))


def built_in_roles() -> dict[str, str]:
    return json.loads((INFRA / "builtInRoles.json").read_text(encoding="utf-8"))
