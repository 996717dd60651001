"""Resource groups: the failover resource group (and a drill's own) is created and deleted here.

regionshift never deletes or changes what it did not create. A group it creates carries the tag
`regionshift-plan: <plan>` (and a drill's group `regionshift-drill: <instance>`); a group that
exists without that tag is refused, not adopted, and a group is deleted only when it carries the
tags of this plan (and of this drill) and everything in it carries the plan's tag too. Tagging a
group by hand with `regionshift-plan` is how a team says "this one is regionshift's to delete".
"""

from __future__ import annotations

from azure.core.exceptions import AzureError, HttpResponseError

from regionshift.azure import lro
from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.azure.regions import same_region
from regionshift.contracts import Begun, StepOutcome

PLAN_TAG = "regionshift-plan"
DRILL_TAG = "regionshift-drill"


def group_id(subscription_id: str, name: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{name}"


def ensure_group(
    clients: AzureClients, subscription_id: str, name: str, location: str, tags: dict[str, str]
) -> StepOutcome:
    """Create the group with `tags`, or accept it when it exists in `location` with this plan's tag."""
    step = Step("resource_group", group_id(subscription_id, name), "create")
    client = clients.resources(subscription_id)
    plan = tags.get(PLAN_TAG, "")
    try:
        with azure_call():
            if client.resource_groups.check_existence(name):
                existing = client.resource_groups.get(name)
                if not same_region(existing.location, location):
                    return step.failed(f"{name} exists in {existing.location}, not in {location}")
                if (existing.tags or {}).get(PLAN_TAG) != plan:
                    return step.failed(
                        f"{name} exists and was not created by regionshift for plan {plan} (no tag "
                        f"{PLAN_TAG}={plan}); name another group, or tag it if it is regionshift's to use and delete"
                    )
                return step.already(f"{name} exists in {existing.location}")
            client.resource_groups.create_or_update(name, {"location": location, "tags": tags})
        return step.done(f"created {name} in {location}")
    except StepFailed as exc:
        return step.failed(str(exc))


def foreign_resources(
    clients: AzureClients, subscription_id: str, name: str, plan: str, drill: str | None = None
) -> list[str]:
    """Why the group is not regionshift's to delete (empty when it is): missing tags, and every
    resource in it that does not carry the plan's tag."""
    client = clients.resources(subscription_id)
    group = client.resource_groups.get(name)
    tags = group.tags or {}
    problems = []
    if tags.get(PLAN_TAG) != plan:
        problems.append(f"the group has no tag {PLAN_TAG}={plan}")
    if drill is not None and tags.get(DRILL_TAG) != drill:
        problems.append(f"the group has no tag {DRILL_TAG}={drill}")
    for resource in client.resources.list_by_resource_group(name):
        if (resource.tags or {}).get(PLAN_TAG) != plan:
            problems.append(f"{resource.type} {resource.name} was not created by regionshift")
    return problems


def begin_delete(clients: AzureClients, subscription_id: str, name: str, plan: str, drill: str | None = None) -> Begun:
    """Start deleting the group, only when it and everything in it are this plan's (and drill's)."""
    client = clients.resources(subscription_id)
    try:
        if not client.resource_groups.check_existence(name):
            return Begun(outcome="done", detail=f"{name} does not exist")
        group = client.resource_groups.get(name)
        if str(getattr(group.properties, "provisioning_state", "")).lower() == "deleting":
            return Begun(outcome="in_progress", detail=f"{name} is being deleted")
        problems = foreign_resources(clients, subscription_id, name, plan, drill)
        if problems:
            detail = f"not deleting {name}: " + "; ".join(problems[:10])
            return Begun(outcome="refused", detail=detail, data={"retry": False})
        handle = lro.start(subscription_id, lambda **kw: client.resource_groups.begin_delete(name, **kw))
    except HttpResponseError as exc:
        if exc.status_code == 409:
            return Begun(outcome="in_progress", detail=describe_error(exc))
        transient = exc.status_code is None or exc.status_code >= 500 or exc.status_code == 429
        return Begun(outcome="refused", detail=describe_error(exc), data={"retry": transient})
    except AzureError as exc:
        return Begun(outcome="refused", detail=describe_error(exc), data={"retry": True})
    return Begun(outcome="started" if handle else "done", handle=handle, detail=f"deleting {name}")


def group_exists(clients: AzureClients, subscription_id: str, name: str) -> bool:
    return bool(clients.resources(subscription_id).resource_groups.check_existence(name))


def describe_group(clients: AzureClients, subscription_id: str, name: str) -> dict[str, object]:
    try:
        exists = clients.resources(subscription_id).resource_groups.check_existence(name)
    except AzureError as exc:
        return {"kind": "resource_group", "name": name, "error": describe_error(exc)}
    return {"kind": "resource_group", "name": name, "exists": bool(exists)}


def preview_group(clients: AzureClients, subscription_id: str, name: str, location: str, plan: str) -> PlannedStep:
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
    if (existing.tags or {}).get(PLAN_TAG) != plan:
        return planned("would_fail", f"{name} exists and was not created by regionshift for plan {plan}")
    return planned("already_done", f"{name} exists in {existing.location}")
