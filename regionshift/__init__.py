"""regionshift: fail a two-region Azure workload over, back, and drill that it can.

The library shared by the Functions app and the CLI: the plan file (`regionshift.plan`), the
Azure domain operations (`regionshift.azure`), the embedded Durable host (`regionshift.host`),
run reports and the command line (`regionshift.cli`).
"""

__version__ = "0.1.0"
