"""Names of the orchestrators and activities: the one place they are spelled.

The Functions app registers its functions under these names and every caller (orchestrators,
the CLI, the HTTP triggers) refers to them from here, never by string literal.
"""


class Orchestrators:
    FAILOVER = "failover"
    FAILBACK = "failback"
    DRILL = "drill"
    APPROVAL = "approval"  # sub-orchestration: confirm (automatic policy) or ask people, then decide
    READINESS = "readiness"  # sub-orchestration: every readiness check unit in parallel, outcomes in order
    # Branches: one resource each, from the first read to the verified end, waiting on durable timers.
    PROVISION_COMPUTE = "provision_compute"  # the failover (or drill) resource group, then its scale sets
    SQL_BRANCH = "sql_branch"
    COSMOS_BRANCH = "cosmos_branch"
    SCALE_SET_BRANCH = "scale_set_branch"
    DELETE_GROUP = "delete_group"  # a regionshift-owned resource group, retried through transient errors
    DNS_RECORD = "dns_record_branch"  # one DNS record: switched, then asked of its name servers until they agree
    FAN_OUT = "fan_out"  # a batch of branches, so that no history grows with the plan
    SCHEDULED_CHECK = "scheduled_check"  # `check --drift` on the readiness timer; keeps the latest result


class Activities:
    SQL_ASSESS = "sql_assess"
    SQL_BEGIN_FAILOVER = "sql_begin_failover"
    COSMOS_ASSESS = "cosmos_assess"
    COSMOS_BEGIN_FAILOVER = "cosmos_begin_failover"
    SCALE_SET_ASSESS = "scale_set_assess"
    SCALE_SET_BEGIN = "scale_set_begin"
    ENSURE_RESOURCE_GROUP = "ensure_resource_group"
    BEGIN_DELETE_RESOURCE_GROUP = "begin_delete_resource_group"
    OPERATION_STATUS = "operation_status"  # one look at a long-running operation's status URL
    SWITCH_DNS_RECORD = "switch_dns_record"
    VERIFY_DNS_RECORD = "verify_dns_record"  # one look: what the zone's authoritative name servers answer
    READ_TARGETS = "read_targets"  # the split-brain guard's reads, for a slice of the plan
    DESCRIBE_STATE = "describe_state"  # the final state of a slice of the plan, for the report
    PUBLISH_REPORT = "publish_report"
    SEND_APPROVAL_REQUEST = "send_approval_request"
    CONFIRM_OUTAGE = "confirm_outage"
    CHECK_FAILBACK_READY = "check_failback_ready"
    PROBE_HEALTH = "probe_health"
    CHECK_READINESS = "check_readiness"  # one readiness check unit (a resource, quota, a group's permissions)
    ACQUIRE_RUN_LEASE = "acquire_run_lease"  # the plan's run lease, before any write (regionshift.lease)
    RELEASE_RUN_LEASE = "release_run_lease"
    CHECK_DRIFT = "check_drift"  # the plan against the estate (regionshift.discovery.drift)
    NOTIFY_READINESS = "notify_readiness"  # post a change of the scheduled check's result


class Events:
    """External events raised on running instances."""

    APPROVAL_DECISION = "approval_decision"  # on the approval sub-orchestration: one vote
    ALERT = "alert"  # on a running failover: a later alert of the same outage, recorded
    # On a run and its running branches: stop scheduling, let what runs finish (orchestrators/cancel.py).
    CANCEL = "cancel"
    # On a run that was interrupted and is picked up again: `resumed-1`, `resumed-2`, ... raised by
    # whoever resumes it, recorded in its report. Numbered, because the Python SDK keeps only the
    # last buffered event of one name (DurableOrchestrationContext.deferred_tasks is keyed by name).
    RESUMED = "resumed"

    @staticmethod
    def resumed(number: int) -> str:
        return f"{Events.RESUMED}-{number}"
