"""Triggers: the HTTP and timer entry points of the Functions app (alerts, manual starts,
approvals, status, the drill schedule). Each module exposes a `bp` blueprint."""

from triggers import alerts, approvals, runs, schedule

blueprints = [alerts.bp, runs.bp, approvals.bp, schedule.bp]
