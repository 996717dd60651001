"""Azure Compute Gallery image versions and their regional replicas.

A gallery image version lives in its gallery's region (its home) and is usable from every region
it has a *completed* replica in: a scale set in the secondary needs the secondary's own replica,
which is what DR depends on. Replica state is kept per region in `internal["replicas"]`
(`Completed`, `Replicating`, `Failed`) and shown, with `$expand=ReplicationStatus`, as
`properties.replicationStatus` with display-name regions, as Azure does. Reading the image
version is a call to its home region (it fails while that region is down); creating a VM from a
replica in another region is not.
"""

from __future__ import annotations

from typing import Any

from regionshift.azure.ids import parse_resource_id
from regionshift_emulator.core.errors import ArmError
from regionshift_emulator.core.regions import display_name, short_name
from regionshift_emulator.core.store import Resource, ResourceStore, group_id

GALLERY_TYPE = "Microsoft.Compute/galleries"
IMAGE_TYPE = "Microsoft.Compute/galleries/images"
VERSION_TYPE = "Microsoft.Compute/galleries/images/versions"


class GalleryImageNotFound(ArmError):
    """Azure's answer (404) to a VM or scale set built from an image version with no replica there."""

    status, code = 404, "GalleryImageNotFound"


def not_replicated(image_id: str, region: str) -> GalleryImageNotFound:
    return GalleryImageNotFound(
        f"The gallery image {image_id} is not available in {short_name(region)} region. Please contact "
        "image owner to replicate to this region, or change your requested region."
    )


def version_key(name: str) -> tuple[int, ...]:
    """Gallery versions are Major.Minor.Patch integers; sort them numerically."""
    try:
        return tuple(int(p) for p in name.split("."))
    except ValueError:
        return (-1,)


def seed_image_version(store: ResourceStore, image_version_id: str, home: str, replicas: dict[str, str]) -> Resource:
    """Create the gallery, image definition and image version (idempotent), with `replicas`
    (region → state) as the replication status. The home region always has a replica."""
    rid = parse_resource_id(image_version_id)
    gallery, image, version = rid.names
    base = f"{group_id(rid.subscription_id, rid.resource_group)}/providers/{GALLERY_TYPE}/{gallery}"
    home = short_name(home)
    states = {home: "Completed", **{short_name(r): s for r, s in replicas.items()}}
    with store.lock:
        if store.get(base) is None:
            store.put(Resource(id=base, type=GALLERY_TYPE, location=home, properties=_succeeded()))
        image_id = f"{base}/images/{image}"
        if store.get(image_id) is None:
            store.put(
                Resource(
                    id=image_id,
                    type=IMAGE_TYPE,
                    location=home,
                    properties={
                        **_succeeded(),
                        "osType": "Linux",
                        "osState": "Generalized",
                        "hyperVGeneration": "V2",
                        "identifier": {"publisher": gallery, "offer": image, "sku": "default"},
                    },
                )
            )
        version_id = f"{image_id}/versions/{version}"
        resource = Resource(
            id=version_id,
            type=VERSION_TYPE,
            location=home,
            properties={
                "publishingProfile": {
                    "targetRegions": [
                        {"name": display_name(r), "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS"}
                        for r in states
                    ],
                    "replicaCount": 1,
                    "excludeFromLatest": False,
                    "storageAccountType": "Standard_LRS",
                },
                "storageProfile": {"osDiskImage": {"sizeInGB": 30, "hostCaching": "ReadWrite"}},
                "provisioningState": "Succeeded",
            },
            internal={"replicas": states},
        )
        return store.put(resource)


def set_replica(store: ResourceStore, image_version_id: str, region: str, state: str | None) -> None:
    """Admin/test hook: set (or, with None, remove) the replica of a version in a region."""
    version = store.require(image_version_id)
    replicas = dict(version.internal.get("replicas", {}))
    key = short_name(region)
    if state is None:
        replicas.pop(key, None)
    else:
        replicas[key] = state
    version.internal["replicas"] = replicas
    version.properties["publishingProfile"]["targetRegions"] = [
        {"name": display_name(r), "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS"} for r in replicas
    ]
    version.touch()


def render_version(version: Resource, expand: str | None) -> dict[str, Any]:
    body = version.render()
    if expand and expand.lower() == "replicationstatus":
        replicas: dict[str, str] = version.internal.get("replicas", {})
        states = set(replicas.values())
        aggregated = "Completed" if states <= {"Completed"} else "Failed" if "Failed" in states else "InProgress"
        body["properties"] = {
            **body["properties"],
            "replicationStatus": {
                "aggregatedState": aggregated,
                "summary": [
                    {
                        "region": display_name(r),
                        "state": s,
                        "details": "",
                        "progress": 100 if s == "Completed" else 0,
                    }
                    for r, s in replicas.items()
                ],
            },
        }
    return body


def resolve_image(store: ResourceStore, image_id: str, region: str) -> Resource:
    """The image version a scale set in `region` would boot from, or Azure's error.

    `image_id` names a version, or an image definition (then the latest version not excluded
    from latest, as Azure picks it). The version needs a completed replica in `region`.
    """
    lowered = image_id.rstrip("/").lower()
    version = store.get(image_id)
    if version is None and "/versions/" not in lowered:
        candidates = [
            v
            for v in store.under(image_id, VERSION_TYPE)
            if not v.properties.get("publishingProfile", {}).get("excludeFromLatest")
        ]
        version = max(candidates, key=lambda v: version_key(v.name), default=None)
    if version is None or version.type != VERSION_TYPE:
        raise GalleryImageNotFound(f"The gallery image {image_id} is not found.")
    if version.internal.get("replicas", {}).get(short_name(region)) != "Completed":
        raise not_replicated(image_id, region)
    return version


def _succeeded() -> dict[str, Any]:
    return {"provisioningState": "Succeeded"}
