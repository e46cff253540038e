from django.core.management.base import BaseCommand, CommandError

from accounts.seal import verify_all


class Command(BaseCommand):
    help = (
        "Check that no sealed audit row was deleted or altered and that the seal chains are intact. "
        "Exits with an error naming each table and row otherwise."
    )

    def handle(self, *args, **options):
        result = verify_all()
        if result.problems:
            raise CommandError(
                f"Audit verification FAILED ({len(result.problems)} problem(s)):\n" + "\n".join(result.problems)
            )
        self.stdout.write(f"Audit verification passed: {result.checked} sealed row(s) intact.")
