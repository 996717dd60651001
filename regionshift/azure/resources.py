"""Resource groups: the failover resource group (and a drill's own) is created and deleted here."""

from __future__ import annotations

from azure.core.exceptions import AzureError

from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.azure.regions import same_region
from regionshift.contracts import StepOutcome


def group_id(subscription_id: str, name: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{name}"


def ensure_group(
    clients: AzureClients, subscription_id: str, name: str, location: str, tags: dict[str, str]
) -> StepOutcome:
    step = Step("resource_group", group_id(subscription_id, name), "create")
    client = clients.resources(subscription_id)
    try:
        with azure_call():
            if client.resource_groups.check_existence(name):
                existing = client.resource_groups.get(name)
                if not same_region(existing.location, location):
                    return step.failed(f"{name} exists in {existing.location}, not in {location}")
                return step.already(f"{name} exists in {existing.location}")
            client.resource_groups.create_or_update(name, {"location": location, "tags": tags})
        return step.done(f"created {name} in {location}")
    except StepFailed as exc:
        return step.failed(str(exc))


def delete_group(clients: AzureClients, subscription_id: str, name: str) -> StepOutcome:
    step = Step("resource_group", group_id(subscription_id, name), "delete")
    client = clients.resources(subscription_id)
    try:
        with azure_call():
            if not client.resource_groups.check_existence(name):
                return step.already(f"{name} does not exist")
            client.resource_groups.begin_delete(name).result()
        return step.done(f"deleted {name} and everything in it")
    except StepFailed as exc:
        return step.failed(str(exc))


def describe_group(clients: AzureClients, subscription_id: str, name: str) -> dict[str, object]:
    try:
        exists = clients.resources(subscription_id).resource_groups.check_existence(name)
    except AzureError as exc:
        return {"kind": "resource_group", "name": name, "error": describe_error(exc)}
    return {"kind": "resource_group", "name": name, "exists": bool(exists)}


def preview_group(clients: AzureClients, subscription_id: str, name: str, location: str) -> PlannedStep:
    """What `ensure_group` would do now, read-only."""

    def planned(status: PlannedStatus, detail: str) -> PlannedStep:
        return PlannedStep(
            kind="resource_group",
            resource=group_id(subscription_id, name),
            action="create",
            status=status,
            detail=detail,
        )

    client = clients.resources(subscription_id)
    try:
        if not client.resource_groups.check_existence(name):
            return planned("to_do", f"create {name} in {location}")
        existing = client.resource_groups.get(name)
    except AzureError as exc:
        return planned("would_fail", f"{name} cannot be read: {describe_error(exc)}")
    if not same_region(existing.location, location):
        return planned("would_fail", f"{name} exists in {existing.location}, not in {location}")
    return planned("already_done", f"{name} exists in {existing.location}")
