"""Settings read from the environment: where ARM is and how to trust it.

These are the only knobs that differ between Azure and the local emulator (the emulator's env file
sets them). Nothing else in the app may ask which one it is talking to.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

AZURE_ARM_ENDPOINT = "https://management.azure.com/"
# Set in the Functions host's worker process (Azure and Core Tools): FUNCTIONS_WORKER_RUNTIME and
# AzureWebJobsScriptRoot by the host, WEBSITE_* by App Service ("App settings reference for Azure
# Functions" and "Environment variables and app settings in Azure App Service", Learn). Any one
# of them means the app folder is the deployment package, which is read-only: "Function apps on
# the Flex Consumption plan run from a package by default" ("Run your functions from a package
# file", Learn). Which of them Flex Consumption sets is not documented, so any one counts
# (harsher than needed: a wrong guess only moves the reports to the temp folder).
FUNCTIONS_HOST_SIGNS = (
    "FUNCTIONS_WORKER_RUNTIME",
    "AzureWebJobsScriptRoot",
    "WEBSITE_INSTANCE_ID",
    "WEBSITE_SITE_NAME",
)


@dataclass(frozen=True)
class Settings:
    arm_endpoint: str = AZURE_ARM_ENDPOINT
    arm_audience: str = AZURE_ARM_ENDPOINT
    ca_bundle: str | None = None
    state_dir: Path = Path(".regionshift")
    report_dir: Path = Path("reports")  # every run's JSON and HTML report (also uploaded if the plan says)
    # The app's own folder when the Functions host runs it: the package, never written to.
    app_folder: Path | None = None
    # Retries of transient errors (429, 5xx, resets) by azure-core's retry policy, per request.
    retry_total: int = 6
    polling_interval: float = 5.0
    # The embedded Durable host's clock runs this many times faster than real time (1: real time).
    # Set by `--simulate` to the emulator's own speed, so durable timers wait in emulated (Azure)
    # seconds; the Functions host in Azure has no such setting.
    host_clock_speed: float = 1.0
    # ARM's request budget refills this many times faster than ARM's documented rates
    # (regionshift.azure.budget). 1 in Azure; a compressed clock (`--simulate`, tests, benchmarks)
    # sets it to its speed, as the emulator's own throttling runs on its compressed clock.
    arm_budget_scale: float = 1.0
    # The name servers a DNS switch is verified on (`host[:port],...`); unset: each zone's own
    # authoritative name servers, from its `nameServers` in ARM (regionshift.azure.dns).
    dns_servers: str = ""

    @property
    def scope(self) -> str:
        return self.arm_audience.rstrip("/") + "/.default"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        return cls(
            arm_endpoint=env.get("REGIONSHIFT_ARM_ENDPOINT", AZURE_ARM_ENDPOINT),
            arm_audience=env.get("REGIONSHIFT_ARM_AUDIENCE", AZURE_ARM_ENDPOINT),
            ca_bundle=env.get("REGIONSHIFT_CA_BUNDLE") or None,
            state_dir=Path(env.get("REGIONSHIFT_STATE_DIR", ".regionshift")),
            report_dir=report_dir(env),
            app_folder=app_folder(env),
            retry_total=int(env.get("REGIONSHIFT_RETRY_TOTAL", "6")),
            polling_interval=float(env.get("REGIONSHIFT_POLLING_INTERVAL", "5")),
            host_clock_speed=float(env.get("REGIONSHIFT_HOST_CLOCK_SPEED", "1")),
            arm_budget_scale=float(env.get("REGIONSHIFT_ARM_BUDGET_SCALE", "1")),
            dns_servers=env.get("REGIONSHIFT_DNS_SERVERS", ""),
        )


def on_functions_host(env: Mapping[str, str]) -> bool:
    return any(env.get(name) for name in FUNCTIONS_HOST_SIGNS)


def app_folder(env: Mapping[str, str]) -> Path | None:
    """The folder the app runs from when the Functions host runs it (None elsewhere): the host's
    script root, else the folder that holds this library (the package's root in Azure)."""
    if not on_functions_host(env):
        return None
    root = env.get("AzureWebJobsScriptRoot")
    return Path(root).resolve() if root else Path(__file__).resolve().parents[1]


def report_dir(env: Mapping[str, str]) -> Path:
    """`REGIONSHIFT_REPORT_DIR`; else, under the Functions host, a folder in the system temp dir
    (the package is read-only there); else `reports/` in the working folder (the CLI)."""
    if env.get("REGIONSHIFT_REPORT_DIR"):
        return Path(env["REGIONSHIFT_REPORT_DIR"])
    if on_functions_host(env):
        return Path(tempfile.gettempdir()) / "regionshift-reports"
    return Path("reports")
