"""An Azure emulator for local runs and tests of regionshift: ARM over HTTPS, managed identity,
resource groups, SQL failover groups, Cosmos DB accounts and more, with scripted regional outages.

Never deployed. Start it with `regionshift_emulator.server.Emulator` (tests) or `run()` (the CLI's
`regionshift emulator`); see `regionshift_emulator.core` for how a service plugs in.
"""
