"""Settings read from the environment: where ARM is and how to trust it.

These are the only knobs that differ between Azure and the local emulator (the emulator's env file
sets them). Nothing else in the app may ask which one it is talking to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

AZURE_ARM_ENDPOINT = "https://management.azure.com/"


@dataclass(frozen=True)
class Settings:
    arm_endpoint: str = AZURE_ARM_ENDPOINT
    arm_audience: str = AZURE_ARM_ENDPOINT
    ca_bundle: str | None = None
    state_dir: Path = Path(".regionshift")
    report_dir: Path = Path("reports")  # every run's JSON and HTML report (also uploaded if the plan says)
    # Retries of transient errors (429, 5xx, resets) by azure-core's retry policy, per request.
    retry_total: int = 6
    polling_interval: float = 5.0
    # The embedded Durable host's clock runs this many times faster than real time (1: real time).
    # Set by `--simulate` to the emulator's own speed, so durable timers wait in emulated (Azure)
    # seconds; the Functions host in Azure has no such setting.
    host_clock_speed: float = 1.0

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
            report_dir=Path(env.get("REGIONSHIFT_REPORT_DIR", "reports")),
            retry_total=int(env.get("REGIONSHIFT_RETRY_TOTAL", "6")),
            polling_interval=float(env.get("REGIONSHIFT_POLLING_INTERVAL", "5")),
            host_clock_speed=float(env.get("REGIONSHIFT_HOST_CLOCK_SPEED", "1")),
        )
