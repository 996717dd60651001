"""The live run page and the recent-runs page: self-contained HTML that follows a run while it runs.

Nothing comes from outside the page: inline CSS, system fonts, and one small inline script allowed
by its hash in the page's Content-Security-Policy. The script fetches the same page again every
two seconds and swaps in its `<main>`, so the page is rendered (and escaped) in one place, here,
and a browser that blocks scripts still follows the run through a `<noscript>` meta refresh. It
stops once the run has finished and its report is on the page. The function key the page was
opened with (`?code=`) is carried in its own links and nowhere else: written into them where the
Functions host hands the function its `code` parameter, else added by the script from the page's
own address (`regionshift serve` keeps the key from functions); `Referrer-Policy: no-referrer` keeps
it out of other sites' logs. Every value from a plan, a run or Azure is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from urllib.parse import quote

from regionshift.contracts import RunReport
from regionshift.reports.html import e, next_steps_section
from regionshift.reports.labels import OPERATION_WORDS, STATUS_WORDS
from regionshift.reports.live import ApprovalView, LiveRun
from regionshift.reports.style import CSS
from regionshift.reports.timeline import as_utc, format_duration

REFRESH_SECONDS = 2
_SCRIPT = """(function () {
  var live = document.getElementById("live");
  var note = document.getElementById("conn");
  function keyed() {
    var key = new URLSearchParams(location.search).get("code");
    if (!key) { return; }
    live.querySelectorAll("a.keyed").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), location.href);
      if (url.searchParams.has("code")) { return; }
      url.searchParams.set("code", key);
      a.setAttribute("href", url.pathname + url.search);
    });
  }
  function again(ms) { setTimeout(tick, ms); }
  function tick() {
    fetch(location.href, {cache: "no-store", credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    }).then(function (text) {
      var next = new DOMParser().parseFromString(text, "text/html");
      var fresh = next.getElementById("live");
      if (!fresh) { throw new Error("not a run page"); }
      live.replaceWith(fresh); live = fresh; document.title = next.title; keyed();
      note.textContent = "";
      if (live.getAttribute("data-final") !== "yes") { again(%d); }
    }).catch(function (err) {
      note.textContent = "Could not refresh (" + err.message + "); trying again.";
      again(%d * 2);
    });
  }
  keyed();
  if (live.getAttribute("data-final") !== "yes") { again(%d); }
})();""".replace("%d", str(REFRESH_SECONDS * 1000))
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{_SCRIPT_HASH}'; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
LIVE_CSS = """
.pill.running, .pill.waiting, .pill.probing, .pill.forced, .pill.confirming, .pill.finishing
  { background: #fff8c5; color: var(--run); }
.pill.pending { background: #eff2f5; color: #57606a; }
.pill.approved { background: #dafbe1; color: var(--ok); }
.pill.rejected, .pill.timed_out { background: #ffebe9; color: var(--bad); }
#conn { color: var(--bad); font-size: 12px; min-height: 1em; margin: 0 0 8px; }
.links li { margin: 2px 0; overflow-wrap: anywhere; }
"""


def _page(title: str, body: str, *, final: bool) -> str:
    refresh = "" if final else f'<noscript><meta http-equiv="refresh" content="{REFRESH_SECONDS * 2}"></noscript>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">{refresh}'
        f"<title>{e(title)}</title><style>{CSS}{LIVE_CSS}</style></head><body>"
        f'<p id="conn" role="status"></p>{body}<script>{_SCRIPT}</script></body></html>'
    )


def _with_key(path: str, key_query: str) -> str:
    return path + (f"?{key_query}" if key_query else "")


def _pill(status: str) -> str:
    return f'<span class="pill {e(status)}">{e(STATUS_WORDS.get(status, status.replace("_", " ")))}</span>'


def _clock(value: datetime | None) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def render_live_page(view: LiveRun, key_query: str = "") -> str:
    """The page for one run, running or finished. `key_query` is `code=<key>` when it was opened so."""
    state = view.report.status if view.report else ("failed" if view.failure else "running")
    final = view.finished
    title = f"{OPERATION_WORDS.get(view.operation, view.operation)} {view.plan}: {view.phase_words}"
    header = (
        f'<header class="run {e(state)}"><div class="inner"><div class="eyebrow">regionshift live run</div>'
        f"<h1><span>{e(OPERATION_WORDS.get(view.operation, view.operation))}</span>"
        f'<span class="plan">{e(view.plan)}</span><span class="pill">{e(state.upper())}</span></h1>'
        '<dl class="meta">'
        f'<div><dt>Phase</dt><dd id="phase">{e(view.phase_words)}</dd></div>'
        f"<div><dt>Instance</dt><dd>{e(view.instance_id)}</dd></div>"
        f"<div><dt>Started</dt><dd>{e(_clock(view.started))}</dd></div>"
        f"<div><dt>Read at</dt><dd>{e(_clock(view.now))}</dd></div></dl></div></header>"
    )
    parts = [
        f'<main id="live" data-final="{"yes" if final else "no"}" data-phase="{e(view.phase)}">',
        header,
        _figures(view),
        _failure(view),
        _approval(view.approval),
        _rows(view),
        _readiness(view),
        _finished(view, key_query),
        f"<footer>{'Finished: this page no longer refreshes.' if final else 'Refreshes itself every '}"
        f"{'' if final else f'{REFRESH_SECONDS} s.'} All times UTC.</footer>",
        "</main>",
    ]
    return _page(title, "".join(p for p in parts if p), final=final)


def _figures(view: LiveRun) -> str:
    clock = view.clock_s
    if view.report is not None:
        rto_label, rto_note = "RTO", "time until the workload served from the target region"
        rto = format_duration(clock) if clock is not None else "not reached"
    else:
        rto_label, rto_note = "RTO clock", "time since the run started; it stops when DNS has moved"
        rto = format_duration(clock)
    done = sum(1 for r in view.rows if r.status in ("succeeded", "already_done"))
    failed = sum(1 for r in view.rows if r.status == "failed")
    return (
        '<section class="figures">'
        f'<div class="figure"><div class="label">{e(rto_label)}</div><div class="value" id="rto">{e(rto)}</div>'
        f'<div class="note">{e(rto_note)}</div></div>'
        f'<div class="figure"><div class="label">Phase</div><div class="value" style="font-size:20px">'
        f'{e(view.phase_words)}</div><div class="note">{e(view.runtime_status)}</div></div>'
        f'<div class="figure"><div class="label">Steps done</div><div class="value{" bad" if failed else ""}">'
        f'{done} / {len(view.rows)}</div><div class="note">{failed} failed</div></div>'
        f'<div class="figure"><div class="label">Approval</div><div class="value" style="font-size:20px">'
        f'{e(_approval_words(view.approval))}</div><div class="note">'
        f"{e(', '.join(view.approval.decided_by) if view.approval and view.approval.decided_by else '—')}"
        "</div></div></section>"
    )


def _approval_words(approval: ApprovalView | None) -> str:
    if approval is None:
        return "not needed"
    return approval.state.replace("_", " ")


def _failure(view: LiveRun) -> str:
    if not view.failure:
        return ""
    return (
        '<section class="card alert"><h2>The run ended without a report</h2>'
        f"<p>{e(view.runtime_status)}: {e(view.failure[:2000])}</p></section>"
    )


def _approval(approval: ApprovalView | None) -> str:
    if approval is None:
        return ""
    lines = [f"<p>{_pill(approval.state)} for {e(format_duration(approval.waited_s))}"]
    if approval.since:
        lines.append(f", asked {e(_clock(approval.since))}")
    lines.append("</p>")
    if approval.state == "waiting":
        lines.append(
            f"<p>Needs {approval.required} approver(s); "
            f"{len(approval.decided_by)} so far. Decide before {e(approval.expires_at or '—')}.</p>"
        )
    if approval.decided_by:
        lines.append(f"<p>Decided by: <b>{e(', '.join(approval.decided_by))}</b></p>")
    if approval.detail:
        lines.append(f'<p class="empty">{e(approval.detail)}</p>')
    return f'<section class="card" id="approval"><h2>Approval</h2>{"".join(lines)}</section>'


def _rows(view: LiveRun) -> str:
    if not view.rows:
        return '<section class="card"><h2>Branches</h2><p class="empty">No branch has started yet.</p></section>'
    rows = "".join(
        f'<tr class="{e(r.status)}" data-resource="{e(r.resource)}"><td>{_pill(r.status)}</td>'
        f'<td class="step"><b>{e(r.step)}</b></td><td class="res"><b>{e(r.resource)}</b></td>'
        f'<td class="num">{e(format_duration(r.elapsed_s))}</td><td class="detail">{e(r.detail)}</td></tr>'
        for r in view.rows
    )
    return (
        f'<section class="card"><h2>Branches<span class="count">{len(view.rows)}</span></h2>'
        '<table id="branches"><thead><tr><th>Status</th><th>Step</th><th>Resource</th><th>Elapsed</th>'
        f"<th>Detail</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _readiness(view: LiveRun) -> str:
    if view.readiness is None:
        note = "running" if view.phase == "readiness" else "not run yet"
        return f'<section class="card"><h2>Readiness checks</h2><p class="empty">{e(note)}</p></section>'
    if not view.readiness:
        return ""
    passed = sum(1 for c in view.readiness if c.ok)
    failed = [c for c in view.readiness if c.status == "failed"]
    unknown = sum(1 for c in view.readiness if c.status == "skipped")
    items = "".join(
        f"<li><b>{e(c.action.replace('_', ' '))}</b> {e(c.resource)}: {e(c.detail)}"
        f"{' <i>(advisory)</i>' if c.data.get('advisory') is True else ''}</li>"
        for c in failed
    )
    listed = f"<ul>{items}</ul>" if items else '<p class="empty">No check failed.</p>'
    return (
        f'<section class="card" id="readiness"><h2>Readiness checks<span class="count">{passed} passed, '
        f"{len(failed)} failed, {unknown} unknown of {len(view.readiness)}</span></h2>{listed}</section>"
    )


def _finished(view: LiveRun, key_query: str) -> str:
    report: RunReport | None = view.report
    if report is None:
        return ""
    page = _with_key(f"/api/runs/{quote(view.instance_id, safe='')}/report", key_query)
    links = "".join(f"<li><code>{e(link)}</code></li>" for link in report.links)
    published = (
        f"<p>Published to:</p><ul class='links'>{links}</ul>"
        if report.published is not False
        else "<p><b>The report was NOT published:</b> " + e("; ".join(report.publish_problems)) + "</p>"
    )
    reason = f"<p>{e(report.reason)}</p>" if report.reason else ""
    return (
        f'<section class="card" id="report"><h2>Report</h2>{reason}'
        f'<p><a id="report-link" class="keyed" href="{e(page)}">Open the full report</a></p>{published}</section>'
        + next_steps_section(report)
    )


def render_runs_page(runs: list[LiveRun], key_query: str = "") -> str:
    """Recent runs per plan, newest first: status, phase, started, RTO, and a link to each live page."""
    by_plan: dict[str, list[LiveRun]] = {}
    for run in sorted(runs, key=lambda r: as_utc(r.started) if r.started else r.now, reverse=True):
        by_plan.setdefault(run.plan or "(unknown plan)", []).append(run)
    sections = []
    for plan, items in sorted(by_plan.items()):
        links = {r.instance_id: _with_key(f"/api/runs/{quote(r.instance_id, safe='')}/page", key_query) for r in items}
        rows = "".join(
            f"<tr><td>{_pill(r.report.status if r.report else ('failed' if r.failure else 'running'))}</td>"
            f"<td>{e(OPERATION_WORDS.get(r.operation, r.operation))}</td><td>{e(r.phase_words)}</td>"
            f'<td class="num">{e(_clock(r.started))}</td>'
            f'<td class="num">{e(format_duration(r.report.rto_seconds) if r.report and r.report.rto_seconds else "—")}'
            f'</td><td><a class="keyed" href="{e(links[r.instance_id])}">'
            f"{e(r.instance_id)}</a></td></tr>"
            for r in items
        )
        sections.append(
            f'<section class="card"><h2>{e(plan)}<span class="count">{len(items)}</span></h2><table>'
            "<thead><tr><th>Status</th><th>Operation</th><th>Phase</th><th>Started</th><th>RTO</th><th>Run</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></section>"
        )
    body = "".join(sections) or '<section class="card"><p class="empty">No runs yet.</p></section>'
    header = (
        '<header class="run succeeded"><div class="inner"><div class="eyebrow">regionshift</div>'
        "<h1>Recent runs</h1></div></header>"
    )
    final = all(r.finished for r in runs)
    return _page(
        "regionshift: recent runs",
        f'<main id="live" data-final="{"yes" if final else "no"}">{header}'
        f"{body}<footer>Newest first, per plan. All times UTC.</footer></main>",
        final=final,
    )
