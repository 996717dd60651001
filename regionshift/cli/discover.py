"""`regionshift discover`: read the live estate through ARM and write the plan that fails it over.

Load the arguments (subscriptions, regions, optional groups and zones), read and pair the estate
(`regionshift.discovery`), write the plan (to `-o FILE`, or stdout), and say on stderr what was
found, what is left as a question and what was left out. The written plan always validates; exit
0, or 1 when part of the estate could not be read (the plan says it is incomplete) or nothing
pairs (no plan is written then), 2 for bad input. An existing file is replaced only with `--force`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from regionshift.azure.clients import default_clients
from regionshift.azure.ids import is_guid
from regionshift.azure.regions import check_region, same_region
from regionshift.cli.console import err, out
from regionshift.cli.environment import azure_settings
from regionshift.cli.exit_codes import ExitCode
from regionshift.discovery import Discovery
from regionshift.discovery import discover as read_and_pair
from regionshift.discovery.naming import geo_code
from regionshift.discovery.writer import render, validated
from regionshift.errors import InputError
from regionshift.plan import arm_names
from regionshift.plan.models import PlanName


def _regions(primary: str, secondary: str) -> tuple[str, str]:
    try:
        regions = check_region(primary), check_region(secondary)
    except ValueError as exc:
        raise InputError(f"--primary/--secondary: {exc}") from None
    if same_region(*regions):
        raise InputError(f"--primary and --secondary must differ (both are {regions[0]})")
    return regions


def _subscriptions(subscriptions: list[str]) -> list[str]:
    if not subscriptions:
        raise InputError("--subscription is required (repeat it for more subscriptions)")
    bad = [s for s in subscriptions if not is_guid(s)]
    if bad:
        raise InputError(f"--subscription {bad[0][:60]!r} is not a subscription id (a GUID)")
    return list(dict.fromkeys(s.lower() for s in subscriptions))


def _names(name: str | None, failover_group: str | None, regions: tuple[str, str]) -> tuple[str, str]:
    from pydantic import TypeAdapter, ValidationError

    chosen = name or f"dr-{geo_code(regions[0])}-{geo_code(regions[1])}"
    try:
        TypeAdapter(PlanName).validate_python(chosen)
    except ValidationError:
        raise InputError(f"--name {chosen[:80]!r}: lowercase letters, digits and hyphens, 1-63 characters") from None
    group = failover_group or f"{chosen}-failover"
    try:
        arm_names.FAILOVER_RESOURCE_GROUP.check(group)
    except ValueError as exc:
        raise InputError(f"--failover-resource-group: {exc}") from None
    return chosen, group


def discover(
    *,
    subscriptions: list[str],
    primary: str,
    secondary: str,
    groups: list[str],
    zones: list[str] | None,
    name: str | None,
    failover_group: str | None,
    output: Path | None,
    force: bool,
) -> ExitCode:
    regions = _regions(primary, secondary)
    subs = _subscriptions(subscriptions)
    plan_name, group = _names(name, failover_group, regions)
    if output is not None and output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to replace it")
    azure_settings()
    discovery, estate = read_and_pair(default_clients(), subs, *regions, groups=groups, zones=zones)
    comments = []
    if (subs[0], group.lower()) in estate.groups:
        comments.append(
            f"note: {group} exists already: a failover uses it only if regionshift made it for {plan_name} "
            "(`regionshift check` says); else name another with --failover-resource-group"
        )
    header = {
        "name": plan_name,
        "subscription_id": subs[0],
        "regions": {"primary": regions[0], "secondary": regions[1]},
        "failover_resource_group": group,
        "comments": comments,
    }
    sources = f"subscription(s) {', '.join(subs)}" + (f", groups {', '.join(groups)}" if groups else "")
    for problem in discovery.problems:
        err.print(f"incomplete: {problem}", highlight=False, markup=False)
    if not discovery.found:
        asked = f"; {len(discovery.questions)} question(s) need a person first" if discovery.questions else ""
        err.print(
            f"nothing in {sources} pairs {regions[0]} with {regions[1]}{asked}; no plan written",
            highlight=False,
            markup=False,
        )
        for question in discovery.questions:
            err.print(f"  question: {question.comments[-1]}", highlight=False, markup=False)
        return ExitCode.FAILED
    text = render(discovery, header, written_at=datetime.now(UTC), sources=sources)
    validated(text, str(output or "<stdout>"))
    if output is None:
        out.file.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    _summary(discovery, output)
    return ExitCode.FAILED if discovery.problems else ExitCode.OK


def _summary(discovery: Discovery, output: Path | None) -> None:
    where = str(output) if output else "stdout"
    counts = ", ".join(
        f"{len(discovery.of(s))} {s}" for s in ("sql_failover_groups", "cosmos_accounts", "scale_sets", "dns_records")
    )
    err.print(
        f"wrote {where}: {len(discovery.found)} pair(s) ({counts}), {len(discovery.questions)} question(s)",
        highlight=False,
        markup=False,
    )
    for question in discovery.questions:
        err.print(f"  question: {question.label}: {question.comments[-1]}", highlight=False, markup=False)
    if discovery.left_out:
        err.print(f"left out {len(discovery.left_out)}:", highlight=False, markup=False)
        for item in discovery.left_out:
            err.print(f"  {item.kind} {item.resource}: {item.reason}", highlight=False, markup=False)
