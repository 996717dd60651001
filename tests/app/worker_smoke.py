"""Run one function of each kind from the deployment package on Azure's Python and library
(azure-functions 2.x), the way the worker calls them, then write what happened as JSON. Run by
tests/app/test_worker_runs.py in the clean Python 3.13 venv, never imported by the tests:

    <venv>/bin/python -I worker_smoke.py <app folder> <plan.yaml> <result.json>

- The failover orchestrator's first episode: the worker hands the Durable SDK's handle a
  `func.OrchestrationContext` whose body is the extension's context JSON (history with
  OrchestratorStarted = 12 and ExecutionStarted = 0, which must carry `Version`; the SDK's
  models/history/HistoryEventType.py), and gets the orchestrator state JSON back.
- The publish_report activity, with a run report as its JSON input.
- The approval_page HTTP trigger, with a `func.HttpRequest` carrying a forged token.
"""

import json
import os
import sys
import traceback

app_dir, plan_path, result_path = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
os.chdir(app_dir)
sys.path.insert(0, app_dir)

result = {}


def attempt(name, work):
    try:
        result[name] = work()
    except Exception as exc:
        result[name] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=-4)}


import azure.functions as func  # noqa: E402

import function_app  # noqa: E402
from regionshift.contracts import RunReport, RunRequest  # noqa: E402
from regionshift.plan import load_plan  # noqa: E402

functions = {f.get_function_name(): f.get_user_function() for f in function_app.app.get_functions()}
plan = load_plan(plan_path)
NOW = "2026-01-01T00:00:00.000000Z"


def orchestrator():
    request = json.dumps(
        RunRequest(plan=plan.model_dump(mode="json"), started_by="smoke", approved=True).model_dump(mode="json")
    )
    history = [
        {"EventType": 12, "EventId": -1, "IsPlayed": False, "Timestamp": NOW},
        {
            "EventType": 0,
            "EventId": -1,
            "IsPlayed": False,
            "Timestamp": NOW,
            "Name": "failover",
            "Version": "",
            "Input": request,
        },
    ]
    context = {
        "history": history,
        "instanceId": "failover-smoke",
        "isReplaying": False,
        "parentInstanceId": None,
        "input": request,
        "upperSchemaVersion": 1,
    }
    state = json.loads(functions["failover"](func.OrchestrationContext(json.dumps(context))))
    actions = [
        action for group in state.get("actions", []) for action in (group if isinstance(group, list) else [group])
    ]
    return {
        "isDone": state.get("isDone"),
        "action_types": [a.get("actionType") for a in actions],
        "error": state.get("error"),
    }


def activity():
    report = RunReport(
        operation="failover", plan=plan.name, instance_id="failover-smoke", status="succeeded", started_at=NOW
    )
    return functions["publish_report"](
        {"report": report.model_dump(mode="json"), "plan": plan.context().model_dump(mode="json")}
    )


def http_trigger():
    request = func.HttpRequest(
        method="GET",
        url="https://app.azurewebsites.net/api/approvals/failover-smoke/approve?token=forged",
        params={"token": "forged"},
        route_params={"instance": "failover-smoke", "decision": "approve"},
        body=b"",
    )
    response = functions["approval_page"](request)
    return {
        "type": type(response).__name__,
        "status": response.status_code,
        "body": response.get_body().decode("utf-8", "replace"),
    }


attempt("orchestrator", orchestrator)
attempt("activity", activity)
attempt("http_trigger", http_trigger)
with open(result_path, "w", encoding="utf-8") as handle:
    json.dump(result, handle, indent=2)
