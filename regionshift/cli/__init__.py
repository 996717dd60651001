"""The `regionshift` command: one module per subcommand, each load → validate → act → exit code."""
