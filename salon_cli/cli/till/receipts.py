"""`salon sale receipt ID`: a sale's receipt (or one refund's, or a void's) on screen, saved as PDF or
text, printed on the location's ESC/POS printer, e-mailed to the client with the PDF attached.

Thin: `services.receipts` reads, lays out, prints and e-mails; this parses and says what happened (on
stderr; stdout carries the receipt only). Everything is read and checked before anything is written,
printed or sent. Imports inside the command keep `salon --help` light (DESIGN.md, lazy imports): no
babel, escpos or fpdf until a receipt is made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission


def sale_receipt(
    ctx: typer.Context,
    sale_id: int = typer.Argument(..., help="Sale id."),
    refund: int | None = typer.Option(None, "--refund", help="The receipt of this refund of the sale."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Save it as PDF to FILE.", dir_okay=False),
    text_file: Path | None = typer.Option(None, "--text", help="Save it as text (42 columns) to FILE.", dir_okay=False),
    email: bool = typer.Option(False, "--email", help="E-mail it to the client, with the PDF; sent at once."),
    email_to: str | None = typer.Option(None, "--email-to", help="E-mail it to ADDRESS instead of the client's (implies --email)."),
    print_: bool = typer.Option(False, "--print", help="Print it on the location's receipt printer (salon policy set --receipt-printer)."),
    force: bool = typer.Option(False, "--force", help="Let --pdf/--text replace an existing file that is not a receipt (never the database)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A sale's receipt: on screen (no option), saved, printed or e-mailed. Reprinting is running it again.

    Paid, refunded and voided sales have one (a void prints VOID); an open sale has none yet (exit 1).
    Printed and e-mailed receipts are audited. A printer or mail server that fails is exit 5: a
    receipt that could not be sent stays queued, and salon send-reminders sends it later.
    --pdf/--text replace an existing file only when it is a receipt written before, or empty.
    The language is the location's (salon policy set --message-language) unless SALON_LANG says es or en.

    Example: salon sale receipt 31

    Example: salon --as sofia sale receipt 31 --print --email

    Example: salon sale receipt 475 --refund 1 --pdf devolucion-475.pdf

    Example: SALON_LANG=en salon sale receipt 31 -f json
    """
    from salon_cli.services.receipts import delivery, emailing, files, text

    if fmt is Format.csv:
        raise InvalidInput("a receipt is text or JSON: -f table or -f json")
    app = app_context(ctx)
    loc = app.location()
    lang = app.settings.language
    protected = files.protected_by_url(app.settings.database_url)
    targets = [(path, kind, option) for path, kind, option in ((pdf, "pdf", "--pdf"), (text_file, "text", "--text"))
               if path is not None]
    for path, kind, option in targets:  # all refusals before anything is written
        files.check(path, kind, option=option, protected=protected, force=force)
    receipt = app.read(lambda session: delivery.read(session, loc, sale_id, refund, lang))
    if print_:  # no printer set: refused before anyone is asked who they are
        app.read(lambda session: delivery.printer(session, loc))
    sending = email or email_to is not None
    if email_to is not None:
        emailing.check_address(email_to)
    if sending:
        emailing.recipient(receipt, email_to)
    actor = app.actor(Permission.desk) if print_ or sending else None
    for path, kind, option in targets:
        data = emailing.receipt_pdf(receipt) if kind == "pdf" else text.text(receipt).encode("utf-8")
        files.save(path, data, kind, option=option, protected=protected, force=force)
        message(f"receipt of sale {sale_id} saved to {path}")
    if print_:
        done: Any = delivery.print_receipt(app.engine, actor=actor, location=loc, sale_id=sale_id, refund_id=refund,
                                          lang=lang, protected=protected)
        message(f"receipt of sale {sale_id} printed on {done.printer}")
    if sending:
        from salon_cli.services.messages.channels import channels_from_env

        sent = delivery.email_receipt(app.engine, actor=actor, location=loc, sale_id=sale_id, refund_id=refund,
                                      to=email_to, lang=lang, channels=channels_from_env())
        message(f"receipt of sale {sale_id} e-mailed to {sent.to}")
    if fmt is not Format.table:
        emit(receipt, fmt, one=True, tz=loc.tz)
    elif not (targets or print_ or sending):
        typer.echo(text.text(receipt), nl=False)
