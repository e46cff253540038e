"""Tamper-evident audit tables: a hash chain over every audit row, kept in an append-only table.

The audit tables (pghistory events, the access log, pghistory's contexts that say who acted)
reject UPDATE and DELETE through triggers. Someone with database owner rights can still disable
a trigger, rewrite a row and enable it again; the seal makes that visible afterwards.

- ``seal_all()`` (hourly Celery task, ``manage.py audit_seal``): for each audit table, every row
  not sealed yet gets an ``AuditSeal``: the sha256 digest of its columns, and a chain value =
  sha256(previous chain of that table + digest). Rows are sealed in the order they are found, so
  a transaction that commits late (its ids lower than rows already sealed) is sealed next time.
- ``verify_all()`` (daily Celery task, ``manage.py audit_verify``): recomputes every digest and
  every link and names each problem: a sealed row deleted or altered, or a seal itself removed
  or altered (the chain breaks at the next seal).

The newest chain value of each table is logged at each seal run; keeping those log lines
outside the database (log shipping) also catches the removal of the newest rows together with
their seals. Digests cover the columns that existed when the row was sealed (``AuditSealLayout``),
so adding a field to a tracked model does not invalidate older seals; dropping one does, and is
reported, because it deletes audit data.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

import pgtrigger
from django.apps import apps
from django.db import connection, models, transaction
from pghistory.models import Context

from .models import AuditSeal, AuditSealLayout

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
# pghistory rewrites a context row while the request (or task) that opened it is still running;
# a context is sealed once it has been quiet this long.
CONTEXT_SETTLE_SQL = "updated_at < NOW() - INTERVAL '1 hour'"


@dataclass(frozen=True)
class AuditTable:
    model: type[models.Model]
    ready_condition: str = ""  # SQL: rows not matching it are not sealed yet

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def pk_column(self) -> str:
        return self.model._meta.pk.column


def _is_append_only(model) -> bool:
    for trigger in getattr(model._meta, "triggers", []):
        if isinstance(trigger, pgtrigger.Protect):
            operations = {str(op) for op in trigger.operation}
            if {"UPDATE", "DELETE"} <= operations:
                return True
    return False


def audit_tables() -> list[AuditTable]:
    """Every append-only table (pghistory event tables, the access log, ...) found from the
    models' protection triggers, so audit tables added by any app are sealed without
    registration, plus pghistory's context table."""
    sealed_models = [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model not in (AuditSeal, AuditSealLayout)
        and _is_append_only(model)
    ]
    tables = [AuditTable(model) for model in sorted(sealed_models, key=lambda m: m._meta.db_table)]
    return [*tables, AuditTable(Context, CONTEXT_SETTLE_SQL)]


def _canonical(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def row_digest(table: str, columns: list[str], values) -> str:
    payload = json.dumps(
        [table, [[column, _canonical(value)] for column, value in zip(columns, values, strict=True)]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_link(previous: str, digest: str) -> str:
    return hashlib.sha256(f"{previous}{digest}".encode()).hexdigest()


def genesis(table: str) -> str:
    return hashlib.sha256(f"isotrack-audit-seal:{table}".encode()).hexdigest()


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _current_columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


# --- Sealing --------------------------------------------------------------------------------


def seal_table(table: AuditTable) -> int:
    """Seal the rows of ``table`` not sealed yet; return how many were sealed."""
    columns = _current_columns(table.name)
    select = ", ".join(_quoted(c) for c in columns)
    ready = f"AND t.{table.ready_condition}" if table.ready_condition else ""
    # Table and column names come from the model registry and the catalog, never from input.
    sql = f"""
        SELECT {select} FROM {_quoted(table.name)} t
        WHERE NOT EXISTS (
            SELECT 1 FROM {_quoted(AuditSeal._meta.db_table)} s
            WHERE s.table_name = %s AND s.row_pk = t.{_quoted(table.pk_column)}::text
        ) {ready}
        ORDER BY t.{_quoted(table.pk_column)}
    """  # noqa: S608
    pk_index = columns.index(table.pk_column)
    sealed = 0
    with transaction.atomic():
        # One sealer per table at a time: two runs must not both extend the chain from the
        # same previous link (the chain would fork and verification would fail).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"audit-seal:{table.name}"])
        layout, _ = AuditSealLayout.objects.get_or_create(table_name=table.name, columns=columns)
        previous = AuditSeal.objects.filter(table_name=table.name).order_by("-id").values_list(
            "chain", flat=True
        ).first() or genesis(table.name)
        with connection.cursor() as cursor:
            cursor.execute(sql, [table.name])
            while rows := cursor.fetchmany(BATCH_SIZE):
                seals = []
                for values in rows:
                    digest = row_digest(table.name, columns, values)
                    previous = chain_link(previous, digest)
                    seals.append(
                        AuditSeal(
                            table_name=table.name,
                            row_pk=str(values[pk_index]),
                            layout=layout,
                            row_digest=digest,
                            chain=previous,
                        )
                    )
                AuditSeal.objects.bulk_create(seals)
                sealed += len(seals)
    if sealed:
        logger.info("audit seal table=%s sealed=%d head=%s", table.name, sealed, previous)
    return sealed


def seal_all() -> dict[str, int]:
    return {table.name: seal_table(table) for table in audit_tables()}


# --- Verifying ------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)


def _column_type(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
            [_quoted(table), column],
        )
        return cursor.fetchone()[0]


def _fetch_rows(table: str, pk_column: str, pk_type: str, columns: list[str], pks: list[str]) -> dict[str, tuple]:
    select = ", ".join(_quoted(c) for c in columns)
    # The ids are cast to the key's own type so that the primary-key index is used.
    sql = f"SELECT {select} FROM {_quoted(table)} WHERE {_quoted(pk_column)} = ANY(%s::{pk_type}[])"  # noqa: S608
    pk_index = columns.index(pk_column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pks])
        return {str(row[pk_index]): row for row in cursor.fetchall()}


def verify_table(table_name: str, pk_column: str, result: VerifyResult) -> None:
    existing_columns = set(_current_columns(table_name))
    pk_type = _column_type(table_name, pk_column)
    layouts = {layout.pk: layout.columns for layout in AuditSealLayout.objects.filter(table_name=table_name)}
    for layout_id, columns in layouts.items():
        missing = sorted(set(columns) - existing_columns)
        if missing:
            result.problems.append(
                f"{table_name}: column(s) {', '.join(missing)} were dropped; rows sealed with them "
                f"(layout {layout_id}) cannot be checked and their audit data is gone"
            )
    previous = genesis(table_name)
    seals = (
        AuditSeal.objects.filter(table_name=table_name)
        .order_by("id")
        .values_list("id", "row_pk", "layout_id", "row_digest", "chain")
    )
    batch: list[tuple] = []

    def check(batch):
        by_layout: dict[int, list[str]] = {}
        for _, row_pk, layout_id, _, _ in batch:
            by_layout.setdefault(layout_id, []).append(row_pk)
        rows = {}
        for layout_id, pks in by_layout.items():
            columns = layouts[layout_id]
            if set(columns) <= existing_columns:
                rows[layout_id] = _fetch_rows(table_name, pk_column, pk_type, columns, pks)
        for _, row_pk, layout_id, digest, _ in batch:
            if layout_id not in rows:
                continue  # reported above (dropped columns)
            row = rows[layout_id].get(row_pk)
            if row is None:
                result.problems.append(f"{table_name}: row {row_pk} was deleted after it was sealed")
            elif row_digest(table_name, layouts[layout_id], row) != digest:
                result.problems.append(f"{table_name}: row {row_pk} was altered after it was sealed")
            result.checked += 1

    for seal in seals.iterator(chunk_size=BATCH_SIZE):
        seal_id, row_pk, _, digest, chain = seal
        expected = chain_link(previous, digest)
        if chain != expected:
            result.problems.append(
                f"{table_name}: the seal chain is broken at seal {seal_id} (row {row_pk}): "
                "a seal before it was removed or altered"
            )
        previous = chain
        batch.append(seal)
        if len(batch) >= BATCH_SIZE:
            check(batch)
            batch = []
    if batch:
        check(batch)


def verify_all() -> VerifyResult:
    """Check every sealed row of every table that has seals (including tables that have since
    disappeared: their rows count as deleted)."""
    result = VerifyResult()
    pk_columns = {table.name: table.pk_column for table in audit_tables()}
    sealed_tables = AuditSeal.objects.values_list("table_name", flat=True).distinct().order_by("table_name")
    existing_tables = set(connection.introspection.table_names())
    for table_name in sealed_tables:
        if table_name not in existing_tables:
            result.problems.append(f"{table_name}: the whole audit table was dropped after it was sealed")
            continue
        pk_column = pk_columns.get(table_name)
        if pk_column is None:  # the model is gone but its table is not
            with connection.cursor() as cursor:
                pk_column = connection.introspection.get_primary_key_column(cursor, table_name)
        verify_table(table_name, pk_column, result)
    return result
