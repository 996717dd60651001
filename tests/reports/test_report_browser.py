"""The report page in a real headless browser (Debian's `chromium`): it loads, draws every bar, shows
a hostile name as text, and screenshots at the size an SRE's laptop shows it.

The test set-up installs Debian's chromium when it is missing and it can (tests/support/browser.py);
otherwise the tests skip and say why. To look at a report by hand:
    chromium --headless --no-sandbox --disable-gpu --screenshot=report.png --window-size=1400,1000 \\
        file://$PWD/reports/<report>.html
"""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from browser import chromium_command, ensure_chromium

from regionshift.contracts import RunReport
from regionshift.reports import write_report

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def chromium() -> str:
    path, _, why = ensure_chromium()  # installs Debian's chromium when missing and possible
    if path is None:
        pytest.skip(why)
    return path


@pytest.fixture
def run_chromium(chromium: str, tmp_path: Path) -> Callable[[list[str]], subprocess.CompletedProcess[str]]:
    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        command = chromium_command(chromium, tmp_path / "profile", args)
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    return run


def test_page_renders_every_bar_and_keeps_hostile_names_as_text(
    report: RunReport, tmp_path: Path, run_chromium: Callable[[list[str]], subprocess.CompletedProcess[str]]
) -> None:
    hostile = report.steps[6].model_copy(update={"resource": "www<img src=x onerror=alert(1)>.contoso.com CNAME"})
    steps = [*report.steps[:6], hostile, report.steps[7]]
    files = write_report(report.model_copy(update={"steps": steps}), tmp_path / "out")
    result = run_chromium(["--dump-dom", files.html_path.as_uri()])
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout  # the DOM after the browser parsed and laid it out
    assert dom.count('class="bar ') == len(steps)
    assert "<img" not in dom
    assert "www&lt;img src=x onerror=alert(1)&gt;.contoso.com CNAME" in dom


def test_screenshot_of_a_failover_report(
    report: RunReport, tmp_path: Path, run_chromium: Callable[[list[str]], subprocess.CompletedProcess[str]]
) -> None:
    files = write_report(report, tmp_path / "out")
    png = tmp_path / "report.png"
    result = run_chromium([f"--screenshot={png}", "--window-size=1400,1000", files.html_path.as_uri()])
    assert result.returncode == 0, result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1400, 1000)
    # A blank page compresses to a few kilobytes; the report's text, chart and colours do not.
    assert len(data) > 50_000
