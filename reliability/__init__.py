"""The chaos suite: faults, kills, races and fuzzed inputs against regionshift, checked by invariants.

Never deployed (`.funcignore`). Every trial ends with the same four checks (`reliability.invariants`),
made from what the emulator holds and what it was asked (its state and request log), never from
regionshift's own report except to find out what a run *claimed*. `python -m reliability.run`
runs every part with seeds and writes RELIABILITY.md; `tests/reliability/` runs a bounded form in CI.

- `estate`: where every resource of a plan stands, read from an emulator snapshot.
- `invariants`: wrong end state, a write outside the plan, an unjustified data-loss action, a lost write.
- `faults`: the fault matrix (fault x operation, each with its expected end state) on the embedded host.
- `kills`: the CLI SIGKILLed at seeded random moments and run again until it ends.
- `races`: concurrent starts over HTTP (`regionshift serve`) and over the CLI.
- `fuzz`: property-based inputs (hypothesis): plans, alerts, HTTP bodies, approval tokens, scenarios.
"""
