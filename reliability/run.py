"""`python -m reliability.run`: every part of the chaos suite, with seeds, and RELIABILITY.md.

    python -m reliability.run [--kills 100] [--fuzz 10000] [--races 5] [--seed 7] [--matrix all|ci]
                              [--parts matrix,kills,races,fuzz] [--out RELIABILITY.md]

`make reliability` runs it with the figures' budgets. Every trial's violations are counted by kind
(`reliability.invariants.CATEGORIES`, target zero each) and listed; the file says on what machine,
with what command, when, from which commit and with which seeds it was made. Exit 1 when any
trial broke an invariant, so CI (or a person) notices.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from regionshift.plan import Plan
from regionshift_emulator.estates import generated_plan
from regionshift_emulator.harness import example_plan
from reliability import faults, fuzz, kills, races
from reliability.invariants import CATEGORIES, UNCLEAN, Violation
from reliability.processes import ROOT

OTHER = UNCLEAN  # a traceback, a 500, a hang, a run that printed nothing: broken, but none of the four
LABELS = {
    "wrong_state": "wrong end state",
    "outside_plan": "write outside the plan",
    "unjustified_data_loss": "unjustified data-loss action",
    "lost_write": "lost write",
    OTHER: "traceback, 500, hang, or a write from an input",
}


@dataclass
class Part:
    name: str
    tried: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys([*CATEGORIES, OTHER], 0))
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, where: str, violations: list[Violation]) -> None:
        for v in violations:
            self.counts[v.category if v.category in self.counts else OTHER] += 1
            self.findings.append(f"{where}: {v.category}: {v.detail}")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_matrix(args: argparse.Namespace, workdir: Path) -> tuple[Part, list[faults.CaseResult]]:
    """Every case on the example plan; the cases that name none of its resources on an estate too."""
    cases = [c for c in faults.MATRIX if args.matrix == "all" or c.name in faults.CI_CASES]
    runs: list[tuple[faults.Case, Plan, dict[str, Any]]] = [(c, example_plan(), {}) for c in cases]
    if args.matrix == "all":
        big = generated_plan(faults.ESTATE_SIZE)
        runs += [(c, big, faults.ESTATE_QUOTAS) for c in cases if c.name in faults.ESTATE_CASES]
    part = Part("fault matrix", f"{len(runs)} cases ({len(cases)} faults x operations, on 1 or 2 plans)")
    results = []
    for i, (case, plan, needs) in enumerate(runs):
        result = faults.run_case(case, plan, workdir / f"{i}-{case.name}", needs)
        verdict = "pass" if result.passed else "FAIL"
        say(f"  {case.name} {case.operation} on {result.plan}: {verdict} ({result.seconds:.0f} s)")
        part.add(f"{case.name} on {result.plan}", result.violations)
        results.append(result)
    return part, results


def run_kills(args: argparse.Namespace, workdir: Path) -> tuple[Part, list[kills.KillTrial]]:
    trials = kills.run_kills(ROOT / "plans" / "example.yaml", workdir, kills=args.kills, seed=args.seed)
    total = sum(t.kills for t in trials)
    part = Part("kills", f"{total} kills in {len(trials)} trials ({sum(t.runs for t in trials)} CLI runs)")
    for t in trials:
        part.add(f"chain {t.chain} {t.operation}", t.violations)
    return part, trials


def run_races(args: argparse.Namespace, workdir: Path) -> tuple[Part, list[races.RaceTrial]]:
    trials = races.run_races(ROOT / "plans" / "example.yaml", workdir, http_trials=args.races, seed=args.seed)
    part = Part("races", f"{len(trials)} trials ({sum(len(t.starts) for t in trials)} concurrent starts)")
    for t in trials:
        part.add(t.kind, t.violations)
    return part, trials


def run_fuzz(args: argparse.Namespace, workdir: Path) -> tuple[Part, list[fuzz.FuzzPart]]:
    found = fuzz.run_fuzz(args.fuzz, args.seed, workdir)
    part = Part("fuzz", f"{sum(p.tried for p in found)} inputs")
    for p in found:
        part.add(p.name, [Violation(OTHER, b) for b in p.broken])
    return part, found


def machine() -> str:
    cpus = os.cpu_count() or 0
    return (
        f"{platform.node()}: {platform.system()} {platform.release()}, {cpus} CPUs, Python {platform.python_version()}"
    )


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    return (found.stdout.strip() or "unknown") + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def row(*cells: object) -> str:
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def outcome(violations: list[Violation]) -> str:
    return "pass" if not violations else "**" + "; ".join(v.detail for v in violations)[:300] + "**"


@dataclass
class Results:
    matrix: list[faults.CaseResult] = field(default_factory=list)
    kills: list[kills.KillTrial] = field(default_factory=list)
    races: list[races.RaceTrial] = field(default_factory=list)
    fuzz: list[fuzz.FuzzPart] = field(default_factory=list)


MATRIX_INTRO = """Each case runs on a fresh emulator seeded from its plan: plans/example.yaml, and for the faults
that name none of its resources also a generated estate of about 100 resources over three
subscriptions (regionshift_emulator/estates.py). A failback case first fails over with nothing
broken. Expected end: *secondary* (served from the secondary: data, compute and DNS there), *primary*
(DNS still on the primary), *untouched* (not one write), *home* (everything back, the failover group
gone), *whole* (on one side entirely, DNS with it), *clean* (a drill left nothing behind and
production as it was)."""
KILLS_INTRO = """A chain is one emulator process and three CLI trials on it, each SIGKILLed at seeded random
moments and run again until it ends: a failover while SQL is down in the primary (so it takes a forced
failover), then a failback, then a drill (reliability/kills.py)."""


def sections(results: Results) -> list[str]:
    lines: list[str] = []
    if results.matrix:
        lines += ["", "## The fault matrix", "", MATRIX_INTRO, ""]
        lines += [row("case", "plan", "operation", "injected", "expected", "claimed", "result"), row(*["---"] * 7)]
        for r in results.matrix:
            c = r.case
            expected = f"{c.expected.status}, {c.expected.end}"
            lines.append(row(c.name, r.plan, c.operation, c.injected, expected, r.claimed, outcome(r.violations)))
    if results.kills:
        lines += ["", "## Kills", "", KILLS_INTRO, ""]
        lines += [row("operation", "trials", "kills", "CLI runs", "claimed succeeded", "broken"), row(*["---"] * 6)]
        for op in ("failover", "failback", "drill"):
            ts = [t for t in results.kills if t.operation == op]
            done = sum(t.claimed == "succeeded" for t in ts)
            broken = sum(bool(t.violations) for t in ts)
            lines.append(row(op, len(ts), sum(t.kills for t in ts), sum(t.runs for t in ts), done, broken))
    if results.races:
        lines += ["", "## Races", "", row("trial", "started", "answers", "acted", "result"), row(*["---"] * 5)]
        for t in results.races:
            acted = ", ".join(t.acted) or "none"
            lines.append(row(t.kind, ", ".join(t.starts), ", ".join(t.answers), acted, outcome(t.violations)))
    if results.fuzz:
        lines += ["", "## Fuzz", "", row("part", "inputs", "broken"), row("---", "---", "---")]
        lines += [row(f.name, f.tried, len(f.broken)) for f in results.fuzz]
    return lines


def render(
    args: argparse.Namespace, parts: list[Part], results: Results, began: datetime, seconds: float, revision: str
) -> str:
    command = "python -m reliability.run " + shlex.join(sys.argv[1:])
    seeds = (
        f"{args.seed} (kill chain *i* and HTTP race *i* use {args.seed} + *i*; the fuzz parts draw their seeds "
        f"from Random({args.seed}); fault probabilities use the seed their case names)"
    )
    lines = [
        "# Reliability: the chaos suite's figures",
        "",
        "What regionshift did when it was tried as an adversary would: faults injected through the emulator's",
        "scenario, SIGKILLs at random moments, concurrent starts, and property-based inputs. Every trial ends",
        "with the invariants of `reliability/invariants.py`, read from the emulator's state and request log",
        "(regionshift's own report is read only for what it claims). The contract they check is",
        "[docs/safety.md](docs/safety.md). Reproduce with `make reliability`.",
        "",
        f"- **When**: {began:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes",
        f"- **Machine**: {machine()}",
        f"- **Commit**: {revision}",
        f"- **Command**: `{command}`",
        f"- **Seeds**: {seeds}",
        "",
        "## Figures (target: zero in every column)",
        "",
        row("part", "tried", *LABELS.values()),
        row("---", "---", *["---:"] * len(LABELS)),
    ]
    lines += [row(p.name, p.tried, *(p.counts[k] for k in LABELS)) for p in parts]
    lines.append(row("**all**", "", *(f"**{sum(p.counts[k] for p in parts)}**" for k in LABELS)))
    findings = [f for p in parts for f in p.findings]
    lines += ["", "## Findings", ""]
    lines += [f"- {cell(f)[:400]}" for f in findings[:100]] or ["None: every trial kept every invariant."]
    return "\n".join(lines + sections(results)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.run", description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100, help="at least this many SIGKILLs (default 100)")
    parser.add_argument("--fuzz", type=int, default=10_000, help="about this many fuzzed inputs (default 10000)")
    parser.add_argument("--races", type=int, default=5, help="HTTP race trials, beside the CLI races (default 5)")
    parser.add_argument("--seed", type=int, default=7, help="the base seed (default 7)")
    parser.add_argument("--matrix", choices=["all", "ci"], default="all", help="every case, or the bounded CI form")
    parser.add_argument("--parts", default="matrix,kills,races,fuzz", help="which parts to run (comma-separated)")
    parser.add_argument("--out", type=Path, default=ROOT / "RELIABILITY.md", help="where to write the figures")
    args = parser.parse_args(argv)
    wanted = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(wanted) - {"matrix", "kills", "races", "fuzz"})
    if unknown:
        parser.error(f"--parts: unknown part {unknown[0]!r} (known: matrix, kills, races, fuzz)")
    runners = {"matrix": run_matrix, "kills": run_kills, "races": run_races, "fuzz": run_fuzz}
    began, start, revision = datetime.now(UTC), time.monotonic(), commit()  # what runs is what is checked out now
    parts: list[Part] = []
    results = Results()
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        for name in wanted:
            say(f"{name}...")
            part_start = time.monotonic()
            part, found = runners[name](args, Path(tmp) / name)
            part.seconds = time.monotonic() - part_start
            say(f"{name}: {part.tried}, {sum(part.counts.values())} broken ({part.seconds:.0f} s)")
            parts.append(part)
            setattr(results, name, found)
    args.out.write_text(render(args, parts, results, began, time.monotonic() - start, revision), encoding="utf-8")
    say(f"wrote {args.out}")
    return 1 if any(sum(p.counts.values()) for p in parts) else 0


if __name__ == "__main__":
    raise SystemExit(main())
