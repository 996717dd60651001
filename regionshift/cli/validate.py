"""`regionshift validate PLAN`: exit 0 for a valid plan, 2 with one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

from regionshift.cli.console import out
from regionshift.cli.exit_codes import ExitCode
from regionshift.plan import Plan, load_plan


def validate(plan_path: Path) -> ExitCode:
    plan = load_plan(plan_path)  # PlanError → exit 2, mapped in main
    resources = len(plan.sql_failover_groups) + len(plan.cosmos_accounts) + len(plan.scale_sets) + len(plan.dns_records)
    out.print(
        f"{plan_path}: valid plan {plan.name!r} ({resources} resources, "
        f"{plan.regions.primary} → {plan.regions.secondary})",
        highlight=False,
    )
    return ExitCode.OK


def plan_schema() -> str:
    """The plan file's JSON Schema, as committed in plan.schema.json for editors."""
    schema = Plan.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "regionshift plan"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
