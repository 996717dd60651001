"""Names of the orchestrators and activities: the one place they are spelled.

The Functions app registers its functions under these names and every caller (orchestrators,
the CLI, the HTTP triggers) refers to them from here, never by string literal.
"""


class Orchestrators:
    FAILOVER = "failover"
    PROVISION_COMPUTE = "provision_compute"  # sub-orchestration: resource group, then scale sets
    FAILBACK = "failback"
    DRILL = "drill"
    APPROVAL = "approval"  # sub-orchestration: confirm (automatic policy) or ask people, then decide
    READINESS = "readiness"  # sub-orchestration: every readiness check unit in parallel, outcomes in order


class Activities:
    SQL_FAILOVER = "sql_failover"
    COSMOS_FAILOVER = "cosmos_failover"
    ENSURE_RESOURCE_GROUP = "ensure_resource_group"
    DELETE_RESOURCE_GROUP = "delete_resource_group"
    PROVISION_SCALE_SET = "provision_scale_set"
    SWITCH_DNS_RECORD = "switch_dns_record"
    DESCRIBE_STATE = "describe_state"
    PUBLISH_REPORT = "publish_report"
    SEND_APPROVAL_REQUEST = "send_approval_request"
    CONFIRM_OUTAGE = "confirm_outage"
    CHECK_FAILBACK_READY = "check_failback_ready"
    PROBE_HEALTH = "probe_health"
    CHECK_READINESS = "check_readiness"  # one readiness check unit (a resource, quota, a group's permissions)
    ACQUIRE_RUN_LEASE = "acquire_run_lease"  # the plan's run lease, before any write (regionshift.lease)
    RELEASE_RUN_LEASE = "release_run_lease"


class Events:
    """External events raised on running instances."""

    APPROVAL_DECISION = "approval_decision"  # on the approval sub-orchestration: one vote
    ALERT = "alert"  # on a running failover: a later alert of the same outage, recorded
