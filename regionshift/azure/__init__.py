"""Azure domain operations, one module per service, each reading state before it acts.

They take a client from `regionshift.azure.clients` (the one client factory) and plain models,
and return plain outcomes; they never know whether the endpoint is Azure or the emulator.
"""
