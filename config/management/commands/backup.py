from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config.backups import BackupError, Server, dump, server_major_version


class Command(BaseCommand):
    help = "Write a custom-format pg_dump of the database (pg_dump of the server's own major version)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="File to write (default: .data/backups/isotrack-<UTC timestamp>.dump). Mode 0600: it holds PHI.",
        )

    def handle(self, *args, output: Path | None, **options):
        if output is None:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            output = settings.BASE_DIR / ".data" / "backups" / f"isotrack-{stamp}.dump"
        try:
            path = dump(Server.from_django(), output, server_major_version())
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
