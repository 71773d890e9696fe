"""A statement compiled once and run straight on a pooled driver connection.

For the statements of the hot paths: the read every status request makes (a task row by id),
each task's claim and outcome, the publishing ledger's. With several threads serving requests,
SQLAlchemy's per-execution work (an execution context, result metadata built from the cursor's
description) costs more CPU than the query itself; this runs the SQL SQLAlchemy compiled, on a
connection from the same pool (with its checkout ping), and converts each value with the column
type's own result processor, so rows hold what a Core query returns. Driver errors come out as
SQLAlchemy's `DBAPIError`, and a dead connection is invalidated, as Core does.

The statement runs as it was compiled: a value bound in it (`status == "PENDING"`) is sent as it
is, a `bindparam` takes its value from the call, and Python-side column defaults are not applied
(an INSERT names every column it writes). An `in_()` of a list compiles to a placeholder that
SQLAlchemy expands at execution, so it is refused: write an `or_()` of equalities instead.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import exc
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any] | None


class PreparedStatement:
    """`first(**params)`: the first row a prebuilt SELECT (or DML ... RETURNING) answers, or
    None; `run(**params)`: the rows a DML statement touched."""

    def __init__(self, engine: Engine, statement: ClauseElement, *, prepare: bool = False) -> None:
        self._engine = engine
        # psycopg prepares it on the server at its first run on a connection (unless the
        # engine turned prepared statements off); SQLite's driver has no such option.
        self._execute_options = (
            {"prepare": True} if prepare and engine.dialect.name == "postgresql" else {}
        )
        self._dialect = engine.dialect
        compiled = self._dialect.statement_compiler(self._dialect, statement)
        self._sql = compiled.string
        if "POSTCOMPILE" in self._sql:
            raise ValueError(f"an expanding IN cannot be prepared once: {self._sql}")
        self._positions = list(compiled.positiontup or []) if self._dialect.positional else None
        self._binds: dict[str, Processor] = {
            name: bind.type.dialect_impl(self._dialect).bind_processor(self._dialect)
            for name, bind in compiled.binds.items()
        }
        # Values bound in the statement itself; a call's parameters fill the others.
        self._bound = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        # What the rows hold: a SELECT's columns, or a DML statement's RETURNING columns. Those
        # are read from `_returning`: `exported_columns` is memoized, and a generative copy
        # (`update(...).returning(...)`) of a statement already compiled keeps the stale value.
        columns = (
            statement.selected_columns
            if isinstance(statement, Select)
            else getattr(statement, "_returning", ())
        )
        self._types = [column.type for column in columns]
        # From the first cursor's description; threads racing to set it compute the same list.
        self._processors: list[Processor] | None = None

    def first(self, **params: Any) -> tuple[Any, ...] | None:
        """Run the statement with `params`; the first row (converted), or None."""
        row, processors = self._execute(params, fetch=True)
        if row is None:
            return None
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(processors, row, strict=True)
        )

    def run(self, **params: Any) -> int:
        """Run the statement with `params`; how many rows it inserted, updated or deleted."""
        count, _ = self._execute(params, fetch=False)
        return int(count)

    def _execute(self, params: Mapping[str, Any], *, fetch: bool) -> tuple[Any, list[Processor]]:
        args = self._arguments(params)
        connection = self._engine.raw_connection()
        processors: list[Processor] = []
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self._sql, args, **self._execute_options)
                if not fetch:
                    return cursor.rowcount, processors
                row = cursor.fetchone()
                processors = self._processors or self._result_processors(cursor.description)
            finally:
                cursor.close()
        except self._dialect.loaded_dbapi.Error as error:
            dead = self._dialect.is_disconnect(error, connection.dbapi_connection, None)
            if dead:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                self._sql,
                args,
                error,
                self._dialect.loaded_dbapi.Error,
                connection_invalidated=dead,
                dialect=self._dialect,
            ) from error
        finally:
            connection.close()
        return row, processors

    def _arguments(self, params: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        given = {**self._bound, **params} if self._bound else params
        values = {
            name: process(given[name]) if process is not None else given[name]
            for name, process in self._binds.items()
        }
        if self._positions is not None:
            return tuple(values[name] for name in self._positions)
        return values

    def _result_processors(self, description: Sequence[Sequence[Any]]) -> list[Processor]:
        # Some processors depend on the driver's type code (PostgreSQL's numeric vs float).
        processors: list[Processor] = [
            kind.dialect_impl(self._dialect).result_processor(self._dialect, column[1])
            for kind, column in zip(self._types, description, strict=True)
        ]
        self._processors = processors
        return processors
