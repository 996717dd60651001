"""The four-quadrant picture of a plan: every resource the plan names is in it, in the right quadrant."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from regionshift.plan import load_plan
from regionshift.reports.quadrants import quadrants, quadrants_svg

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "plans" / "example.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> str:
    return "\n".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))


def test_the_svg_names_every_resource_of_the_plan() -> None:
    plan = load_plan(EXAMPLE)
    text = _texts(quadrants_svg(plan))
    names = [plan.failover_resource_group, plan.regions.primary, plan.regions.secondary]
    for group in plan.sql_failover_groups:
        names += [group.name, group.server, group.partner_server or ""]
    names += [a.name for a in plan.cosmos_accounts]
    names += [s.name for s in plan.scale_sets]
    names += [s.scale_set.rsplit("/", 1)[-1] for s in plan.scale_sets if s.scale_set]
    names += [f"{r.name}.{r.zone} {r.type}" for r in plan.dns_records]
    missing = [n for n in names if n not in text]
    assert not missing, f"not in the picture: {missing}"


def test_failover_resources_are_built_in_the_secondary_only() -> None:
    cells = quadrants(load_plan(EXAMPLE))
    assert cells["secondary", "failover"][:2] == [
        "resource group contoso-dr",
        "scale set web, 4 instances (built from the image)",
    ]
    assert cells["primary", "failover"] == ["nothing: regionshift creates nothing in the primary"]
    assert any("sql-eus2 (primary of fg-orders)" in line for line in cells["primary", "permanent"])
    assert any("worker (worker-cus)" in line for line in cells["secondary", "permanent"])


def test_docs_carry_the_drawing_of_the_example_plan() -> None:
    assert (ROOT / "docs" / "quadrants.svg").read_text(encoding="utf-8") == quadrants_svg(load_plan(EXAMPLE)), (
        "docs/quadrants.svg is stale: python -m regionshift.reports.quadrants plans/example.yaml docs/quadrants.svg"
    )


def test_names_are_escaped() -> None:
    plan = load_plan(EXAMPLE)  # the validator refuses such a name; the drawing must not rely on it
    record = plan.dns_records[0].model_copy(update={"primary": "a<b>&c.example.net"})
    svg = quadrants_svg(plan.model_copy(update={"dns_records": [record]}))
    assert "a&lt;b&gt;&amp;c.example.net" in svg
    assert "a<b>&c.example.net" in _texts(svg)  # still well-formed XML, and the name reads as written
