"""The four quadrants of a plan, drawn as SVG: primary and secondary region, permanent and failover resources.

Operators reason about a two-region workload in these terms. *Permanent* resources exist all the
time and change role at a failover (the SQL servers of a failover group, the Cosmos DB account's
regions, the pre-provisioned scale sets, the DNS records). *Failover* resources exist only while the
workload runs in the secondary: the failover resource group and the scale sets built in it, created
at failover and deleted at failback. regionshift never creates anything in the primary, and the
picture says so. Every name comes from the plan and is escaped; `docs/quadrants.svg` is this
drawing of `plans/example.yaml` (`python -m regionshift.reports.quadrants plans/example.yaml`).
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from regionshift.plan import Plan, load_plan

_W, _COL_W, _LABEL_W, _LINE, _PAD = 1200, 535, 115, 19, 14


def quadrants(plan: Plan) -> dict[tuple[str, str], list[str]]:
    """(region side, lifetime) → the lines naming what is there."""
    cells: dict[tuple[str, str], list[str]] = {
        ("primary", "permanent"): [],
        ("secondary", "permanent"): [],
        ("primary", "failover"): ["nothing: regionshift creates nothing in the primary"],
        ("secondary", "failover"): [f"resource group {plan.failover_resource_group}"],
    }
    for group in plan.sql_failover_groups:
        cells["primary", "permanent"].append(f"SQL {group.server} (primary of {group.name})")
        partner = group.partner_server or "(partner read from Azure)"
        cells["secondary", "permanent"].append(f"SQL {partner} (partner in {group.name})")
    for account in plan.cosmos_accounts:
        cells["primary", "permanent"].append(f"Cosmos DB {account.name}: write region")
        cells["secondary", "permanent"].append(
            f"Cosmos DB {account.name}: read region, the write region after failover"
        )
    for scale_set in plan.scale_sets:
        if scale_set.mode == "create":
            line = f"scale set {scale_set.name}, {scale_set.capacity} instances (built from the image)"
            cells["secondary", "failover"].append(line)
        else:
            source = (scale_set.scale_set or scale_set.name).rsplit("/", 1)[-1]
            line = f"scale set {scale_set.name} ({source}), scaled up to {scale_set.capacity}"
            cells["secondary", "permanent"].append(line)
    for record in plan.dns_records:
        label = f"{record.name}.{record.zone} {record.type}"
        cells["primary", "permanent"].append(f"DNS {label} → {_target(record.primary)} (normally)")
        cells["secondary", "permanent"].append(f"DNS {label} → {_target(record.secondary)} (after failover)")
    return cells


def _target(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def quadrants_svg(plan: Plan) -> str:
    cells = quadrants(plan)
    rows = ("permanent", "failover")
    heights = {r: max(len(cells["primary", r]), len(cells["secondary", r])) * _LINE + 2 * _PAD + 18 for r in rows}
    top = 64
    height = top + sum(heights.values()) + 36
    e = escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" width="{_W}" height="{height}" '
        f'role="img" aria-label="The four quadrants of plan {e(plan.name)}" '
        'font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">',
        f'<rect width="{_W}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_PAD}" y="24" font-size="16" font-weight="600" fill="#1f2328">Plan {e(plan.name)}: '
        "where everything lives</text>",
    ]
    for index, (side, region) in enumerate((("primary", plan.regions.primary), ("secondary", plan.regions.secondary))):
        x = _LABEL_W + index * (_COL_W + 10)
        out.append(
            f'<text x="{x + _COL_W / 2}" y="{top - 10}" text-anchor="middle" font-weight="600" fill="#1f2328">'
            f"{e(side)} · {e(region)}</text>"
        )
    y = top
    fills = {
        ("primary", "permanent"): "#ddf4ff",
        ("secondary", "permanent"): "#dafbe1",
        ("primary", "failover"): "#f6f8fa",
        ("secondary", "failover"): "#fff8c5",
    }
    for row in rows:
        h = heights[row]
        out.append(
            f'<text x="{_PAD}" y="{y + h / 2}" font-weight="600" fill="#1f2328">{e(row)}</text>'
            f'<text x="{_PAD}" y="{y + h / 2 + 16}" font-size="11" fill="#59636e">'
            f"{'always there' if row == 'permanent' else 'failover → failback'}</text>"
        )
        for index, side in enumerate(("primary", "secondary")):
            x = _LABEL_W + index * (_COL_W + 10)
            out.append(
                f'<rect x="{x}" y="{y}" width="{_COL_W}" height="{h - 8}" rx="8" fill="{fills[side, row]}" '
                'stroke="#d1d9e0"/>'
            )
            for n, line in enumerate(cells[side, row]):
                out.append(f'<text x="{x + _PAD}" y="{y + _PAD + 12 + n * _LINE}" fill="#1f2328">{e(line)}</text>')
        y += h
    out.append(
        f'<text x="{_PAD}" y="{height - 14}" font-size="11" fill="#59636e">Drawn from the plan by '
        "regionshift.reports.quadrants. A failover moves the data roles and DNS to the secondary column and "
        "builds the failover row; a failback undoes both.</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """`python -m regionshift.reports.quadrants PLAN [OUT.svg]`: print or write the drawing."""
    if not argv:
        print("usage: python -m regionshift.reports.quadrants PLAN [OUT.svg]", file=sys.stderr)
        return 2
    svg = quadrants_svg(load_plan(Path(argv[0])))
    if len(argv) > 1:
        Path(argv[1]).write_text(svg, encoding="utf-8")
    else:
        sys.stdout.write(svg)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
