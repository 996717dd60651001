"""The plan file: what fails over, declared in YAML and validated into typed models."""

from regionshift.plan.loader import load_plan, parse_plan
from regionshift.plan.models import (
    CosmosAccount,
    DnsRecord,
    Plan,
    PlanContext,
    Policy,
    Regions,
    ScaleSet,
    SqlFailoverGroup,
)

__all__ = [
    "CosmosAccount",
    "DnsRecord",
    "Plan",
    "PlanContext",
    "Policy",
    "Regions",
    "ScaleSet",
    "SqlFailoverGroup",
    "load_plan",
    "parse_plan",
]
