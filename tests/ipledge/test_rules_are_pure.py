"""The rule modules stay pure: importing them loads no Django (so no ORM, no settings)."""

import subprocess
import sys
from pathlib import Path

RULE_MODULES = [
    "ipledge.rule_facts",
    "ipledge.rules",
    "ipledge.monthly_rules",
    "ipledge.calendar_rules",
]


def test_the_rule_modules_import_nothing_from_django():
    code = (
        f"import sys; import {', '.join(RULE_MODULES)}; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django'); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
