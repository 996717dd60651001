"""Where the forecast finds this plan's recent runs: the reports every run publishes.

Every failover, failback and drill writes its report (`<operation>-<plan>-<UTC start>.json`) to the
report folder, and, when the plan or the environment names one, to a Blob Storage container
(`<plan>/<file>`: in Azure, where the app's own folder is temporary, that container is the lasting
record). The newest `LIMIT` reports of the plan are read from both, newest first; one that cannot be
read or parsed is skipped (a forecast falls back to documented figures, it never fails a run).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import ValidationError

from regionshift.contracts import RunReport
from regionshift.plan import PlanContext
from regionshift.reports import BlobTarget

LIMIT = 10
OPERATIONS = ("failover", "failback", "drill")
log = logging.getLogger("regionshift.forecast")


def _parse(text: str | bytes, plan: str) -> RunReport | None:
    try:
        report = RunReport.model_validate(json.loads(text))
    except (ValueError, ValidationError):
        return None
    return report if report.plan == plan and report.operation in OPERATIONS else None


def reports_in_folder(plan: str, folder: Path, limit: int = LIMIT) -> list[RunReport]:
    found = []
    for operation in OPERATIONS:
        for path in folder.glob(f"{operation}-{plan}-*.json"):
            try:
                report = _parse(path.read_text(encoding="utf-8"), plan)
            except OSError:
                continue
            if report is not None:
                found.append(report)
    return sorted(found, key=lambda r: r.started_at, reverse=True)[:limit]


def reports_in_container(plan: PlanContext, limit: int = LIMIT) -> list[RunReport]:
    target = BlobTarget.for_plan(plan)
    if target is None:
        return []
    found = []
    try:
        with target.container_client() as container:
            blobs = [
                b
                for b in container.list_blobs(name_starts_with=target.prefix)
                if b.name.endswith(".json") and b.name[len(target.prefix) :].split("-", 1)[0] in OPERATIONS
            ]
            for blob in sorted(blobs, key=lambda b: b.last_modified, reverse=True)[: limit * 2]:
                report = _parse(container.download_blob(blob.name).readall(), plan.name)
                if report is not None:
                    found.append(report)
    except Exception as exc:  # storage that does not answer costs the forecast its history, nothing more
        log.warning("the reports of %s in %s could not be read: %s", plan.name, target.container, exc)
        return []
    return found[:limit]


def recent_reports(plan: PlanContext, folder: Path, limit: int = LIMIT) -> list[RunReport]:
    """The plan's newest reports from the folder and its container, each once (by instance and start)."""
    seen: dict[tuple[str, str], RunReport] = {}
    for report in [*reports_in_folder(plan.name, folder, limit), *reports_in_container(plan, limit)]:
        seen.setdefault((report.instance_id, report.started_at.isoformat()), report)
    return sorted(seen.values(), key=lambda r: r.started_at, reverse=True)[:limit]
