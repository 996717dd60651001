"""The report page's stylesheet, inlined into every page so that it renders with no network at all.

System font stacks only (no web fonts); colours with enough contrast to read on a projector at 3 am;
print keeps the colours because reports end up in post-incident reviews.
"""

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --card:#ffffff;
  --ok:#1a7f37; --done:#0969da; --bad:#cf222e; --skip:#8c959f; --run:#9a6700; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 0 24px 40px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 12px; }
header.run { color: #fff; padding: 20px 0 18px; margin-bottom: 20px; }
header.run.succeeded { background: linear-gradient(90deg, #116329, #1a7f37); }
header.run.failed { background: linear-gradient(90deg, #a40e26, #cf222e); }
header.run.running { background: linear-gradient(90deg, #7d4e00, #9a6700); }
header.run .inner { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; opacity: .85; }
h1 { margin: 2px 0 10px; font-size: 26px; font-weight: 600; display: flex; align-items: center; gap: 14px;
  flex-wrap: wrap; }
h1 .plan { font-weight: 400; opacity: .95; }
.pill { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12px; font-weight: 600;
  letter-spacing: .03em; white-space: nowrap; }
header .pill { background: rgba(255,255,255,.95); font-size: 14px; padding: 3px 14px; }
header.succeeded .pill { color: var(--ok); } header.failed .pill { color: var(--bad); }
header.running .pill { color: var(--run); }
.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; }
.meta div { min-width: 0; } .meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em;
  opacity: .8; } .meta dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 14px; margin-bottom: 18px; }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em;
  font-weight: 600; }
.figure .value { font-size: 32px; font-weight: 600; line-height: 1.15; margin: 4px 0 2px;
  font-variant-numeric: tabular-nums; }
.figure .value.na { color: var(--muted); font-size: 22px; padding: 6px 0 3px; }
.figure .value.bad { color: var(--bad); }
.figure .note { color: var(--muted); font-size: 12px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px;
  margin-bottom: 18px; }
section.card h2 { font-size: 16px; margin: 0 0 12px; font-weight: 600; }
section.card h2 .count { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 6px; }
section.alert { border-left: 5px solid var(--bad); }
section.alert h2 { color: var(--bad); }
section.alert p { margin: 0 0 10px; }
section.alert ul { margin: 0; padding-left: 18px; } section.alert li { margin: 4px 0; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; color: var(--muted); font-size: 12px; margin-top: 8px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px;
  vertical-align: -2px; }
svg.timeline { width: 100%; height: auto; display: block; }
svg.timeline text { font-family: inherit; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 10px 6px 0; }
td { border-bottom: 1px solid #eaeef2; padding: 8px 10px 8px 0; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
tr.failed td { background: #fff5f5; } tr.failed td:first-child { box-shadow: inset 4px 0 0 var(--bad); }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; color: var(--muted); }
td.idx { width: 36px; color: var(--muted); }
td:first-child, th:first-child { padding-left: 10px; }
td.step { white-space: nowrap; }
.res b { display: block; font-weight: 600; }
.res .mono { color: var(--muted); overflow-wrap: anywhere; }
.detail { overflow-wrap: anywhere; max-width: 420px; }
.facts { margin-top: 4px; display: flex; flex-wrap: wrap; gap: 4px; }
.facts span { background: #eff2f5; border-radius: 4px; padding: 0 6px; font-size: 12px; }
.pill.succeeded { background: #dafbe1; color: var(--ok); }
.pill.already_done { background: #ddf4ff; color: var(--done); }
.pill.failed { background: #ffebe9; color: var(--bad); } .pill.skipped { background: #eff2f5; color: #57606a; }
.empty { color: var(--muted); margin: 0; }
section.next { border-left: 5px solid var(--done); }
section.next ol { margin: 0; padding-left: 20px; } section.next li { margin: 6px 0 10px; }
section.next p { margin: 2px 0 4px; color: var(--muted); }
section.next pre { margin: 4px 0; background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px;
  padding: 6px 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
section.notice { border-left: 5px solid var(--run); } section.notice ul { margin: 4px 0 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }
@media (max-width: 900px) { .figures { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
"""
