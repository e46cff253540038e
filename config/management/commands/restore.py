from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backups import BackupError, Server, restore, server_major_version


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` (pg_restore of the server's major version), "
        "in one transaction. Stop the web app, worker and beat first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-name",
            help="Restore into this (existing, empty) database on the same server instead of the configured one: "
            "a restore drill that leaves production untouched.",
        )
        parser.add_argument(
            "--clean", action="store_true", help="Drop the existing objects first (replaces the current data)."
        )

    def handle(self, *args, archive: Path, database_name: str | None, clean: bool, **options):
        server = Server.from_django(name=database_name)
        try:
            restore(server, archive, server_major_version(), clean=clean)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {archive} into the database {server.name}.")
