"""Microsoft.Sql: servers, databases and auto-failover groups (planned and forced failover)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.sql.models import BUSY_AFTER_FORCED, FORCED, PLANNED, SqlBackend
from regionshift_emulator.services.sql.replication import CATCH_UP, RECONNECT
from regionshift_emulator.services.sql.urls import RULES

SERVICE = ServiceSpec(
    name="sql",
    namespace="Microsoft.Sql",
    backend=SqlBackend,
    rules=RULES,
    # Azure: about a minute planned, faster forced. The other three are durations of what SQL does on
    # its own after a forced failover (see services/sql/replication.py); Azure documents none of them.
    operations={PLANNED: 60.0, FORCED: 30.0, RECONNECT: 60.0, CATCH_UP: 120.0, BUSY_AFTER_FORCED: 300.0},
)
