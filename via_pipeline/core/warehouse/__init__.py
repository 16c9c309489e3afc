"""The warehouse: migrations, atomic replace-writes and fast bulk loads on DuckDB and PostgreSQL.

The one way to the warehouse is WarehouseStore (store.py). The other modules hold what it is
built from: errors.py (WarehouseError), sql_files.py (sql/<name>.sql and table-name checks),
migrations.py (NNNN_name.sql files and their record), frames.py (frames as stored) and bulk.py
(each engine's fast insert path); write_checks.py holds the check every write passes first (the
write lease, core/runs/lease.py).
"""

from via_pipeline.core.warehouse.errors import WarehouseError
from via_pipeline.core.warehouse.migrations import Migration, discover_migrations
from via_pipeline.core.warehouse.sql_files import check_table_name, load_sql
from via_pipeline.core.warehouse.store import WarehouseStore

__all__ = [
    "Migration",
    "WarehouseError",
    "WarehouseStore",
    "check_table_name",
    "discover_migrations",
    "load_sql",
]
