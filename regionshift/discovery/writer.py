"""Write a discovery as a plan file: YAML a person reviews, with a comment on every choice.

Entries are written in the example plan's style (one flow mapping per SQL failover group, Cosmos
DB account and DNS record; a block per scale set), each under the comment that says what it pairs.
A question is a commented-out entry under a `QUESTION:` line, so the plan validates as written and
a person finishes it by editing and uncommenting. What was left out, and what could not be read,
closes the file. The text is validated with the plan loader before it is returned: a plan that
discovery writes and `validate` refuses would be a bug here, never a file on disk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml

from regionshift.discovery.model import SECTIONS, Discovery, Entry
from regionshift.plan import Plan, parse_plan


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1_000_000).strip()
    return text.removesuffix("...").strip()


def _entry_lines(entry: Entry, data: dict[str, Any]) -> list[str]:
    if entry.section != "scale_sets":
        return [f"- {_flow(data)}"]
    lines = []
    for index, (key, value) in enumerate(data.items()):
        lines.append(f"{'- ' if index == 0 else '  '}{key}: {_flow(value)}")
    return lines


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())  # one line, whatever the reason held


def render(discovery: Discovery, header: dict[str, Any], *, written_at: datetime, sources: str) -> str:
    """The plan file's text; `header` holds name, subscription_id, regions, failover_resource_group."""
    regions = header["regions"]
    out = [
        f"# Written by `regionshift discover` at {written_at:%Y-%m-%d %H:%M:%S} UTC from {sources}",
        f"# ({regions['primary']} -> {regions['secondary']}): {len(discovery.found)} pair(s), "
        f"{len(discovery.questions)} question(s), {len(discovery.left_out)} resource(s) left out.",
        "# Every choice discovery could not make is a commented entry under a QUESTION line: decide, edit it,",
        "# uncomment it. Then run `regionshift check` on the plan before trusting it.",
    ]
    if discovery.problems:
        out.append("# INCOMPLETE: some of the estate could not be read (see the end of this file).")
    out += [
        f"name: {_flow(header['name'])}",
        f"subscription_id: {_flow(header['subscription_id'])}   # default for every resource below",
        f"regions: {_flow(regions)}",
        f"failover_resource_group: {_flow(header['failover_resource_group'])}"
        f"   # created in {regions['secondary']} at failover, deleted at failback",
    ]
    out += [_comment(c) for c in header.get("comments", [])]
    for section in SECTIONS:
        entries = discovery.of(section)
        found = [e for e in entries if e.data is not None]
        out.append(f"{section}:" if found else f"{section}: []")
        for entry in entries:
            out += ["  " + _comment(c) for c in entry.comments]
            if entry.data is not None:
                out += ["  " + line for line in _entry_lines(entry, entry.data)]
            elif entry.draft is not None:
                out += ["  # " + line for line in _entry_lines(entry, entry.draft)]
    out += [
        "policy:",
        "  data_loss: forbid   # a forced failover (possible data loss) is never taken; set `allow` to permit it",
    ]
    if discovery.left_out:
        out.append(
            f"# Left out ({len(discovery.left_out)}): not a pair of {regions['primary']} and {regions['secondary']}"
        )
        out += [_comment(f"  - {x.kind} {x.resource}: {x.reason}") for x in discovery.left_out]
    if discovery.problems:
        out.append("# Could not be read (discovery is incomplete):")
        out += [_comment(f"  - {p}") for p in discovery.problems]
    return "\n".join(out) + "\n"


def validated(text: str, source: str = "<discovered plan>") -> Plan:
    """The written text read back as the loader reads a plan file (PlanError if it does not validate)."""
    return parse_plan(text, source)
