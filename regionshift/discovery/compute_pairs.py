"""Pair the compute of an estate: each scale set of the primary with what a failover brings up.

For a scale set running in the primary:
- `mode: scale` when a scale set in the secondary has the same base name (`naming`): it is scaled to
  the primary's instance count at failover (it should idle at 0 instances until then; one that
  runs instances already is noted);
- else `mode: create`, built from the gallery image version the primary set runs (an image
  definition reference means its newest version not excluded from latest, as Azure picks it, and
  the plan pins that version), when that version has a Completed replica in the secondary; in the
  secondary's subnet of the same name in the virtual network of the same base (or the only one
  with a subnet of that name), joining the backend pool matched the same way;
- a question when there are several candidates, when the image is not a gallery image or has no
  replica in the secondary, or when no subnet matches (a backend pool that does not match is left
  out of the entry and asked about).
A set that runs no instances is left out, and so is every scale set of the secondary that pairs
with none of the primary (the failover and drill groups' own sets among them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from regionshift.azure.ids import parse_resource_id
from regionshift.azure.readiness_groups import PLAN_TAG
from regionshift.azure.regions import same_region
from regionshift.discovery.estate import Estate, ImageVersionInfo, NetworkInfo, ScaleSetInfo
from regionshift.discovery.model import Entry, LeftOut, checked
from regionshift.discovery.naming import base_name
from regionshift.plan import arm_names

Regions = tuple[str, str]
ReadImage = Callable[[str], "ImageVersionInfo | str"]
LatestVersion = Callable[[str], "str | None"]


def pair_scale_sets(
    estate: Estate, regions: Regions, read_image: ReadImage, latest: LatestVersion
) -> tuple[list[Entry], list[LeftOut]]:
    primary, secondary = regions
    ours = {s.vmss.id.lower() for s in estate.scale_sets if PLAN_TAG in dict(s.tags)}
    in_secondary = [
        s for s in estate.scale_sets if same_region(s.vmss.location, secondary) and s.vmss.id.lower() not in ours
    ]
    by_base: dict[str, list[ScaleSetInfo]] = defaultdict(list)
    for s in in_secondary:
        by_base[base_name(s.vmss.name, regions)].append(s)
    entries: list[Entry] = []
    left: list[LeftOut] = []
    used: set[str] = set()
    names: set[str] = set()
    for s in sorted(estate.scale_sets, key=lambda v: v.vmss.id.lower()):
        if s.vmss.id.lower() in ours:
            plan = dict(s.tags)[PLAN_TAG]
            left.append(
                LeftOut("scale set", s.vmss.id, f"was made by regionshift for plan {plan} (a failover or drill)")
            )
            continue
        if same_region(s.vmss.location, secondary):
            continue
        if not same_region(s.vmss.location, primary):
            left.append(LeftOut("scale set", s.vmss.id, f"is in {s.vmss.location}, neither region"))
            continue
        if s.capacity < 1:
            left.append(LeftOut("scale set", s.vmss.id, f"runs no instances in {primary}: nothing to fail over"))
            continue
        base = base_name(s.vmss.name, regions)
        name = _unique(base if _valid_name(base) else s.vmss.name, names)
        candidates = by_base.get(base, [])
        if candidates:
            used.update(c.vmss.id.lower() for c in candidates)
            entries.append(checked(_scale_entry(s, name, candidates)))
        else:
            entries.append(checked(_create_entry(s, name, estate, regions, read_image, latest)))
    for s in sorted(in_secondary, key=lambda v: v.vmss.id.lower()):
        if s.vmss.id.lower() not in used:
            left.append(
                LeftOut("scale set", s.vmss.id, f"is in {secondary}, and no scale set of {primary} has its name")
            )
    return entries, left


def _valid_name(name: str) -> bool:
    try:
        arm_names.SCALE_SET.check(name)
    except ValueError:
        return False
    return True


def _unique(name: str, taken: set[str]) -> str:
    chosen, n = name, 2
    while chosen.lower() in taken:
        chosen, n = f"{name}-{n}", n + 1
    taken.add(chosen.lower())
    return chosen


def _scale_entry(s: ScaleSetInfo, name: str, candidates: list[ScaleSetInfo]) -> Entry:
    keys = (s.vmss.id.lower(),)
    if len(candidates) > 1:
        listed = ", ".join(c.vmss.id for c in candidates)
        draft = {"name": name, "mode": "scale", "scale_set": candidates[0].vmss.id, "capacity": s.capacity}
        return Entry(
            "scale_sets",
            name,
            None,
            [f"QUESTION: {s.vmss.name} has {len(candidates)} namesakes in the secondary ({listed}): which scales up?"],
            draft,
            keys,
        )
    target = candidates[0]
    comments = [f"{name}: {s.vmss.name} runs {s.capacity} instances; {target.vmss.name} scales up to that"]
    if target.capacity > 0:
        comments.append(f"note: {target.vmss.name} already runs {target.capacity} instances (it usually idles at 0)")
    data = {"name": name, "mode": "scale", "scale_set": target.vmss.id, "capacity": s.capacity}
    return Entry("scale_sets", name, data, comments, keys=(*keys, target.vmss.id.lower()))


def _create_entry(
    s: ScaleSetInfo, name: str, estate: Estate, regions: Regions, read_image: ReadImage, latest: LatestVersion
) -> Entry:
    primary, secondary = regions
    keys = (s.vmss.id.lower(),)
    comments = [f"{name}: built at failover as {s.vmss.name} runs in {primary} ({s.capacity} instances)"]
    draft: dict[str, object] = {"name": name, "mode": "create", "capacity": s.capacity, "sku": s.sku}

    def question(text: str) -> Entry:
        return Entry("scale_sets", name, None, [*comments, f"QUESTION: {text}"], draft, keys)

    image = str(s.image.get("id") or "")
    if "/galleries/" not in image.lower():
        marketplace = "/".join(str(s.image[k]) for k in ("publisher", "offer", "sku") if s.image.get(k))
        shown = image or marketplace or "no image it names"
        return question(
            f"{s.vmss.name} runs {shown}, not a Compute Gallery image version: `mode: create` needs one replicated "
            f"to {secondary} (or pre-provision a scale set in {secondary} with 0 instances for `mode: scale`)"
        )
    version = image if "/versions/" in image.lower() else latest(image)
    if version is None:
        return question(f"no version of the image definition {image} can be read")
    if version != image:
        comments.append(f"{s.vmss.name} names the image definition; the plan pins its newest version")
    draft["image"] = version
    info = read_image(version)
    if isinstance(info, str):
        return question(f"the image version {version} cannot be read ({info})")
    state = next((st for region, st in info.replicas.items() if same_region(region, secondary)), None)
    if state != "Completed":
        how = "no replica" if state is None else f"a replica in state {state}"
        return question(f"the image version {version} has {how} in {secondary}; replicate it there first")
    subnet, how_subnet = _match_child(s.subnets, estate.vnets, regions)
    if subnet is None:
        return question(f"no subnet in {secondary} matches {', '.join(s.subnets) or 'the scale set (it names none)'}")
    draft["subnet"] = subnet
    if how_subnet:
        comments.append(f"subnet {how_subnet}")
    data = {**draft}
    if s.pools:
        pool, how_pool = _match_child(s.pools, estate.lbs, regions)
        if pool is None:
            comments.append(
                f"QUESTION: no backend pool in {secondary} matches {', '.join(s.pools)}; add backend_pool: <its id>"
            )
        else:
            data["backend_pool"] = pool
            if how_pool:
                comments.append(f"backend pool {how_pool}")
    return Entry("scale_sets", name, data, comments, keys=keys)


def _match_child(refs: tuple[str, ...], parents: list[NetworkInfo], regions: Regions) -> tuple[str | None, str]:
    """The secondary's subnet (or pool) for the first of `refs`: (its id, how it was matched when
    not by its parent's base name), or (None, "")."""
    if not refs:
        return None, ""
    rid = parse_resource_id(refs[0])
    parent_name, child = rid.names[0], rid.names[-1]
    secondary = [p for p in parents if same_region(p.parent.location, regions[1]) and child in p.children]
    alike = [p for p in secondary if base_name(p.parent.name, regions) == base_name(parent_name, regions)]
    if len(alike) == 1:
        return f"{alike[0].parent.id}/{rid.types[-1]}/{child}", ""
    if not alike and len(secondary) == 1:
        only = secondary[0].parent
        return f"{only.id}/{rid.types[-1]}/{child}", f"matched by its name {child} only (in {only.name})"
    return None, ""
