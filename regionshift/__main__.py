"""`python -m regionshift` is the `regionshift` command."""

from regionshift.cli.main import main

main()
