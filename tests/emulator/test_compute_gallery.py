"""Compute Gallery image versions through the real ComputeManagementClient."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient

from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.gallery import set_replica
from regionshift_emulator.testing import sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
IMAGE = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute"
    "/galleries/gal/images/web/versions/1.4.0"
)


def get_version(emulator: Emulator, expand: str | None = "ReplicationStatus") -> object:
    client = sdk_client(emulator, ComputeManagementClient, SUBSCRIPTION)
    return client.gallery_image_versions.get("rg-dr-cus", "gal", "web", "1.4.0", expand=expand)


def test_seeded_version_is_replicated_to_both_regions(emulator: Emulator) -> None:
    version = get_version(emulator)
    summary = {s.region: s.state for s in version.properties.replication_status.summary}  # type: ignore[attr-defined]
    targets = [t.name for t in version.properties.publishing_profile.target_regions]  # type: ignore[attr-defined]
    assert summary == {"East US 2": "Completed", "Central US": "Completed"}
    assert targets == ["East US 2", "Central US"]  # the gallery's home region first


def test_replication_status_only_with_expand(emulator: Emulator) -> None:
    assert get_version(emulator, expand=None).properties.replication_status is None  # type: ignore[attr-defined]


def test_replicating_region_shows_in_progress(fresh_emulator: Emulator) -> None:
    set_replica(fresh_emulator.state.store, IMAGE, "centralus", "Replicating")
    status = get_version(fresh_emulator).properties.replication_status  # type: ignore[attr-defined]
    assert (status.aggregated_state, {s.region: s.state for s in status.summary}["Central US"]) == (
        "InProgress",
        "Replicating",
    )


def test_missing_version_is_not_found(emulator: Emulator) -> None:
    client = sdk_client(emulator, ComputeManagementClient, SUBSCRIPTION)
    with pytest.raises(ResourceNotFoundError):
        client.gallery_image_versions.get("rg-dr-cus", "gal", "web", "9.9.9")


def test_reading_the_version_fails_while_its_home_region_is_down(fresh_emulator: Emulator) -> None:
    # The gallery is homed in the primary, although its group (rg-dr-cus) is homed in the secondary.
    fresh_emulator.set_scenario({"outage": ["eastus2"]})
    with pytest.raises(HttpResponseError) as caught:
        get_version(fresh_emulator)
    assert caught.value.status_code == 504
