"""Random-point kills, bounded: one chain (failover while SQL is down in the primary, failback, drill),
each CLI run SIGKILLed once at a seeded random moment and run again until it ends."""

from __future__ import annotations

from pathlib import Path

from reliability.kills import run_chain
from reliability.processes import ROOT


def test_killed_runs_resume_and_end_keeping_every_invariant(tmp_path: Path) -> None:
    trials = run_chain(0, ROOT / "plans" / "example.yaml", tmp_path, seed=7, max_kills=1)
    assert [t.operation for t in trials] == ["failover", "failback", "drill"]
    for trial in trials:
        assert trial.violations == [], (trial.operation, trial.kills, trial.runs)
        assert (trial.claimed, trial.exit_code) == ("succeeded", 0), trial.operation
    assert sum(t.kills for t in trials) >= 1  # a kill landed: the resume path ran
