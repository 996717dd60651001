"""The report page in a real headless browser (Debian's `chromium`): it loads, draws every bar, shows
a hostile name as text, and screenshots at the size an SRE's laptop shows it.

Skipped when chromium is not installed (`apt-get install -y chromium`). To look at a report by hand:
    chromium --headless --no-sandbox --disable-gpu --screenshot=report.png --window-size=1400,1000 \\
        file://$PWD/reports/<report>.html
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from regionshift.contracts import RunReport
from regionshift.reports import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"),
]
# Flags that keep a headless run quiet and offline: no first-run, sync, update or QUIC traffic.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_page_renders_every_bar_and_keeps_hostile_names_as_text(report: RunReport, tmp_path: Path) -> None:
    hostile = report.steps[6].model_copy(update={"resource": "www<img src=x onerror=alert(1)>.contoso.com CNAME"})
    steps = [*report.steps[:6], hostile, report.steps[7]]
    files = write_report(report.model_copy(update={"steps": steps}), tmp_path / "out")
    result = _chromium(["--dump-dom", files.html_path.as_uri()], tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout  # the DOM after the browser parsed and laid it out
    assert dom.count('class="bar ') == len(steps)
    assert "<img" not in dom
    assert "www&lt;img src=x onerror=alert(1)&gt;.contoso.com CNAME" in dom


def test_screenshot_of_a_failover_report(report: RunReport, tmp_path: Path) -> None:
    files = write_report(report, tmp_path / "out")
    png = tmp_path / "report.png"
    result = _chromium([f"--screenshot={png}", "--window-size=1400,1000", files.html_path.as_uri()], tmp_path / "p")
    assert result.returncode == 0, result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1400, 1000)
    # A blank page compresses to a few kilobytes; the report's text, chart and colours do not.
    assert len(data) > 50_000
