"""The HTML page: every step is on it, names from plans stay text, and it needs nothing from outside."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from regionshift.contracts import RunReport, StepOutcome
from regionshift.reports import render_html
from regionshift.reports.labels import STATUS_COLOURS

INJECTION = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


class _Collector(HTMLParser):
    """Collects tags, attributes and text, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    parser = _Collector()
    parser.feed(page)
    parser.close()
    return parser


def test_every_step_appears_in_the_chart_and_the_table(report: RunReport) -> None:
    parsed = _parse(render_html(report))
    bars = [a for t, a in parsed.tags if t == "rect" and "bar" in (a.get("class") or "")]
    assert [a["data-step"] for a in bars] == [str(i) for i in range(len(report.steps))]
    assert [a["fill"] for a in bars] == [STATUS_COLOURS[s.status] for s in report.steps]
    text = " ".join(parsed.text)
    for name in ("fg-orders", "cosmos-orders", "contoso-dr", "web", "worker-cus", "www.contoso.com CNAME"):
        assert name in text
    assert sum(1 for t, a in parsed.tags if t == "tr" and a.get("class") == "failed") == 2  # step + check


def test_header_shows_status_rto_rpo_and_who_started_it(report: RunReport) -> None:
    text = " ".join(_parse(render_html(report)).text)
    assert "FAILED" in text
    assert "3 m 54 s" in text  # RTO 234.1 s
    assert "4.2 s" in text  # RPO
    assert report.started_by in text
    assert report.instance_id in text
    assert "QuotaExceeded" in text
    assert "advisory: did not block the run" in text  # the failed quota check is advisory


def test_a_hostile_resource_name_stays_text(report: RunReport) -> None:
    hostile = report.steps[6].model_copy(update={"resource": f"www{INJECTION}.contoso.com CNAME", "detail": INJECTION})
    page = render_html(report.model_copy(update={"steps": [hostile], "plan": "p<b>x</b>", "reason": INJECTION}))
    parsed = _parse(page)
    assert not [t for t, _ in parsed.tags if t in ("script", "img")]
    assert all("onerror" not in attrs for _, attrs in parsed.tags)
    assert INJECTION in "".join(parsed.text)  # shown to the reader exactly as written
    assert "p<b>x</b>" in "".join(parsed.text)
    assert "&lt;script&gt;" in page


def test_page_is_self_contained(report: RunReport) -> None:
    page = render_html(report)
    parsed = _parse(page)
    assert not [t for t, _ in parsed.tags if t in ("script", "link", "iframe", "img", "object")]
    # The only URL is the SVG namespace, which is a name, not a fetch.
    assert re.findall(r"https?://[^\s\"'<]+", page) == ["http://www.w3.org/2000/svg"]
    assert "default-src 'none'" in page


def test_readiness_and_final_state_sections_appear_only_when_there_is_something(report: RunReport) -> None:
    full = " ".join(_parse(render_html(report)).text)
    assert "Readiness checks" in full and "Final state of resources" in full
    assert "3 of 4 passed" in full
    bare = " ".join(_parse(render_html(report.model_copy(update={"readiness": [], "resources": []}))).text)
    assert "Readiness checks" not in bare and "Final state of resources" not in bare


def test_a_running_report_without_figures_says_so(report: RunReport) -> None:
    untimed = StepOutcome(kind="sql", resource="fg", action="planned_failover", status="skipped")
    running = report.model_copy(
        update={
            "status": "running",
            "ended_at": None,
            "rto_seconds": None,
            "rpo_seconds": None,
            "steps": [untimed],
            "reason": "",
            "readiness": [],
        }
    )
    text = " ".join(_parse(render_html(running)).text)
    assert "RUNNING" in text and "still running" in text and "not measured" in text
    assert "not timed" in text
    assert "What failed" not in text
