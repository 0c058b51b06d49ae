"""Build a snapshot's NCCL tables from its indexed records: the SQL of ``sql/build``.

Placing records in runs looks at whole processes (window functions over every record of
one), and the tables behind the views join and group what it placed: more than a query
should cost. So it all runs once, when a snapshot's index is built, and the resulting
tables are stored with the index; a connection only reads them.
"""

from __future__ import annotations

from importlib import resources
from typing import Final

import duckdb
import numpy as np
import pyarrow as pa

__all__ = ["COMPUTED", "PLACED", "build", "sql_files", "sql_text", "unplaced"]

#: The table of placed records (the records, plus ``COMPUTED``).
PLACED: Final = "_nccl_placed"
#: The columns placing adds to the records.
COMPUTED: Final = ("run_id", "comm_of", "nccl_version", "nccl_cuda", "logged_by")


def sql_text(name: str) -> str:
    """A SQL file shipped in ``logpipe/query/sql`` (``name`` relative to that folder)."""
    return (resources.files("logpipe.query") / "sql" / name).read_text("utf-8")


def sql_files(folder: str) -> list[tuple[str, str]]:
    """(name, text) of the SQL files of ``sql/<folder>``, in the order they run."""
    where = resources.files("logpipe.query") / "sql" / folder
    found = [(f.name, f.read_text("utf-8")) for f in where.iterdir() if f.name.endswith(".sql")]
    return sorted(found)


def build(raw: pa.Table) -> dict[str, pa.Table]:
    """Every table ``sql/build`` creates from the records ``raw``, by name."""
    numbered = raw.append_column("_row", pa.array(np.arange(raw.num_rows), pa.int64()))
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("_nccl_index", numbered)
        con.execute(sql_text("macros.sql"))
        for _, text in sql_files("build"):
            con.execute(text)
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in names}
    finally:
        con.close()


def unplaced(placed: pa.Table) -> pa.Table:
    """The records without what placing added (to be placed again with new ones)."""
    return placed.drop_columns([c for c in COMPUTED if c in placed.column_names])
