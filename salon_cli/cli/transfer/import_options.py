"""The options of `salon import ...`: those every import shares, and each import's own.

A flag an import's service takes (`--status`, `--default-duration`, the amount's basis) is handed
on only when it is given, here or in the `--mapping` file: the service decides otherwise.
"""

from __future__ import annotations

from typing import Any

import typer

from salon_cli.cli.transfer import targets
from salon_cli.core.errors import InvalidInput

FILE_ARG: Any = typer.Argument(..., metavar="FILE|-", help="A CSV file with a header row; - reads stdin.")
MAPPING_OPTION: Any = typer.Option(None, "--mapping", metavar="FILE.toml",
                                   help="Column names and formats kept in a TOML file ([columns] SRC = \"field\", "
                                        "or a list of fields; date_format, time_format, encoding, "
                                        "decimal_separator), as --save-mapping writes it. Options given here win.")
SAVE_MAPPING_OPTION: Any = typer.Option(None, "--save-mapping", metavar="FILE.toml",
                                        help="Write the mapping this import used, for the next one (--mapping "
                                             "FILE.toml): every column of the file and the field it was read as (- "
                                             "skipped), the formats found or given, and the options kept with them; "
                                             "written when the run goes through (best with --dry-run), not when it "
                                             "is refused. Created 0600; an existing file is replaced only "
                                             "when salon wrote it, or with --force; never the salon's database.")
DATE_OPTION: Any = typer.Option(None, "--date-format",
                                help="strftime pattern of the dates, e.g. %m/%d/%Y or %d/%m/%Y. "
                                     "Default: detected from the file (ambiguous dates are refused).")
TIME_OPTION: Any = typer.Option(None, "--time-format",
                                help="strftime pattern of the times, e.g. '%I:%M:%S %p'. Default: detected.")
ENCODING_OPTION: Any = typer.Option(None, "--encoding",
                                    help="The file's encoding: UTF-8 with or without BOM by default (a UTF-16 BOM "
                                         "is followed); e.g. latin-1, cp1252, utf-16.")
DECIMAL_OPTION: Any = typer.Option(None, "--decimal-separator", metavar="'.'|','",
                                   help="The amounts' decimal separator, where the file does not show it "
                                        "(every amount like 1,234 or 12.500).")
DRY_RUN_OPTION: Any = typer.Option(False, "--dry-run",
                                   help="List what each row would do (create, match, refuse); write nothing.")
SKIP_BAD_OPTION: Any = typer.Option(False, "--skip-bad",
                                    help="Import the good rows; write the refused ones and why to --rejects.")
KEEP_IDS_OPTION: Any = typer.Option(False, "--keep-ids",
                                    help="Keep the ids of a file from `salon export` (moving from one salon database "
                                         "to another): references between clients, appointments, penalties and sales "
                                         "stay as they were. An id taken by another record is refused.")
REJECTS_OPTION: Any = typer.Option(None, "--rejects", metavar="FILE",
                                   help="Where --skip-bad writes refused rows (default: FILE.rejected.csv beside "
                                        "the input; created 0600). It imports again as it is once fixed. An existing "
                                        "file is replaced only when it is a previous rejects file (its header row "
                                        "ends with the import_error column) or is empty; anything else needs "
                                        "--force. Never the salon's database or its -wal/-shm files, even with "
                                        "--force.")
FORCE_OPTION: Any = targets.force_option("--rejects or --save-mapping", "rejects or mapping file")
CREATE_MISSING_HELP = ("Create unknown {what} (stylists with a random PIN), and clients named only by a code (the "
                       "code kept as their external code, their name until a client file fills it in); a manager's "
                       "PIN is needed.")
AMOUNT_BEFORE_TAX_OPTION: Any = typer.Option(False, "--amount-before-tax",
                                             help="Each amount is before the tax columns (total = amount + taxes). "
                                                  "Default: decided from the data (ambiguity is refused).")
AMOUNT_INCLUDES_TAX_OPTION: Any = typer.Option(False, "--amount-includes-tax",
                                               help="Each amount is the line's total, the tax columns inside it. "
                                                    "Default: decided from the data (ambiguity is refused).")
STATUS_OPTION: Any = typer.Option(None, "--status", metavar="STATUS",
                                  help="Every row has this status, whatever the file says: no_show for a no-show "
                                       "report, cancelled for a cancellations report (booked, completed, ... as in "
                                       "a status column). A report's rows without times match the client's booking "
                                       "that day.")
DEFAULT_DURATION_OPTION: Any = typer.Option(None, "--default-duration", metavar="MIN", min=1, max=1440,
                                            help="The length in minutes of a service the file lists without one "
                                                 "(default: the policy's slot).")

# the fields of money of each import: one column read as two of them would count its money twice
MONEY = {"services": ("price", "price_cents"), "products": ("price", "price_cents"), "clients": (),
         "appointments": ("price", "deposit", "price_cents", "deposit_cents"), "sales": ("amount", "tip", "tax:")}


def maps_option(fields: str) -> Any:
    return typer.Option([], "--map", metavar="SRC=field",
                        help=f"Read the file's column SRC as field (SRC=- skips it); repeat. One column may be read "
                             f"as two fields (--map Code=external_code --map Code=first_name); two columns as one "
                             f"field are refused. Fields: {fields}.")


def amount_basis(before_tax: bool, includes_tax: bool) -> bool | None:
    """`--amount-before-tax` True, `--amount-includes-tax` False, neither None (the data decides)."""
    if before_tax and includes_tax:
        raise InvalidInput("--amount-before-tax and --amount-includes-tax together: an amount is one or the other",
                           hint="give the one the file's amounts are, or neither to decide from the data")
    return True if before_tax else False if includes_tax else None
