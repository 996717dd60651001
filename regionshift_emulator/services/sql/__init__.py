"""Microsoft.Sql: servers, databases and auto-failover groups (planned and forced failover)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.sql.models import FORCED, PLANNED, SqlBackend
from regionshift_emulator.services.sql.urls import RULES

SERVICE = ServiceSpec(
    name="sql",
    backend=SqlBackend,
    rules=RULES,
    operations={PLANNED: 60.0, FORCED: 30.0},  # Azure: about a minute planned, faster forced
)
