from django.core.management.base import BaseCommand

from accounts.seal import seal_all


class Command(BaseCommand):
    help = "Seal the audit rows written since the last run (hash chain per audit table; see accounts/seal.py)."

    def handle(self, *args, **options):
        sealed = seal_all()
        for table, count in sealed.items():
            if count:
                self.stdout.write(f"{table}: sealed {count} row(s)")
        self.stdout.write(f"Sealed {sum(sealed.values())} audit row(s) in {len(sealed)} table(s).")
