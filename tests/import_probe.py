"""What a `salon ... --help` must not load, and the probe that reports what it did load: shared by
system/test_import_hygiene.py and till/test_sales_cli.py (run as `python -c PROBE ARGS...`)."""

HEAVY = ("sqlalchemy", "sqlmodel", "textual", "stripe", "alembic", "psycopg")

PROBE = """
import json, sys
from salon_cli.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(HEAVY)))
sys.stderr.write("LOADED=" + json.dumps(heavy) + "\\n")
"""
