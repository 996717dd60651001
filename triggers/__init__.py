"""Triggers: the HTTP and timer entry points of the Functions app (alerts, manual starts,
approvals, status, the drill schedule, the readiness timer). Each module exposes a `bp` blueprint."""

from triggers import alerts, approvals, readiness, runs, schedule

blueprints = [alerts.bp, readiness.bp, runs.bp, approvals.bp, schedule.bp]
