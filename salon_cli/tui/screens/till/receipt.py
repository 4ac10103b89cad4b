"""A sale's receipt on the dashboard (or one refund's, or a void's): the text the printer gets, and
keys to print it on the location's printer (`p`), e-mail it with its PDF (`e`, the client's address
filled in) and save it as PDF (`f`, in SALON_HOME/receipts unless another path is typed). Opened
after a checkout is paid and from the sales list (a reprint is the same again).

Printing and e-mailing are the desk's changes: the app's door names who acts (`app.change`), then
`services.receipts.delivery` talks to the printer or the mail server in a thread with no transaction
open, and audits what it did. A printer or mail server that fails is said here; nothing is recorded
as printed or sent. The language is the location's, or SALON_LANG's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _
from salon_cli.settings import Settings
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.widgets.desk_footer import DeskFooter

HINT = N_("p print · e e-mail · f save as PDF · Esc back")


class ReceiptScreen(Screen[None]):
    DEFAULT_CSS = """
    ReceiptScreen #receipt-row { height: 1fr; align-horizontal: center; }
    ReceiptScreen #receipt-title { width: 100%; padding: 0 1; text-style: bold; }
    ReceiptScreen #receipt-box { width: 48; height: 1fr; border: round $accent; padding: 0 1; scrollbar-gutter: stable; }
    ReceiptScreen #receipt-text { width: 42; }
    ReceiptScreen #receipt-state { width: 100%; height: auto; padding: 0 1; }
    ReceiptScreen #receipt-state.error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        Binding("p", "print_receipt", N_("Print"), id="print-receipt"),
        Binding("e", "email_receipt", N_("E-mail"), id="email-receipt"),
        Binding("f", "save_pdf", N_("Save PDF"), id="save-pdf"),
    ]

    def __init__(self, sale_id: int, refund_id: int | None = None) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.refund_id = refund_id
        self.receipt: Any = None  # services.receipts.content.Receipt, once read
        self.settings = Settings.from_env()
        self.saved: Path | None = None  # the last PDF saved here

    def compose(self) -> ComposeResult:
        title = _("Receipt — refund {refund} of sale {sale}").format(refund=self.refund_id, sale=self.sale_id) \
            if self.refund_id is not None else _("Receipt — sale {sale}").format(sale=self.sale_id)
        yield Static(title, id="receipt-title", markup=False)
        with Container(id="receipt-row"), VerticalScroll(id="receipt-box"):
            yield Static(_("loading…"), id="receipt-text", markup=False)
        yield Static(_(HINT), id="receipt-state", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#receipt-box").focus()
        self._request()

    def data_changed(self) -> None:
        """A refund given at another desk shows on the receipt (the app's poll calls this)."""
        self._request()

    def _request(self) -> None:
        from salon_cli.services.receipts import delivery, text

        sale_id, refund_id, lang = self.sale_id, self.refund_id, self.settings.language

        def work(session: Any, location: Any) -> tuple[Any, str]:
            receipt = delivery.read(session, location, sale_id, refund_id, lang)
            return receipt, text.text(receipt)

        def done(result: tuple[Any, str]) -> None:
            self.receipt = result[0]
            if self.is_attached:
                self.query_one("#receipt-text", Static).update(result[1].rstrip("\n"))
                self.refresh_bindings()

        def failed(why: str) -> None:
            if self.is_attached:
                self.query_one("#receipt-text", Static).update("")
                self._say(_("error: {why}").format(why=why), error=True)

        self.app.read(work, done, failed, group="receipt")  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("print_receipt", "email_receipt", "save_pdf") and self.receipt is None:
            return None  # shown greyed until the receipt is read
        return True

    def _say(self, words: str, *, error: bool = False) -> None:
        if self.is_attached:
            state = self.query_one("#receipt-state", Static)
            state.update(words)
            state.set_class(error, "error")

    def _outside(self, doing: str, work: Any) -> None:
        """Who acts (the desk's door), then `work(actor, location) -> words` in a thread: a printer or a
        mail server is never waited on with a transaction open (`doing`: what is said meanwhile)."""
        def with_actor(actor: Any) -> None:
            location = self.app.location  # type: ignore[attr-defined]

            def job() -> None:
                try:
                    said = work(actor, location)
                except Exception as exc:  # noqa: BLE001 - a refusal or a failure is said on screen
                    self.app.call_from_thread(self._say, self.app.describe_failure(exc), error=True)  # type: ignore[attr-defined]
                    return
                self.app.call_from_thread(self._say, said)

            self._say(doing)
            self.run_worker(job, thread=True, group="receipt-out", exit_on_error=False)

        self.app.change(Permission.desk, lambda _session, _location, actor: actor, with_actor,  # type: ignore[attr-defined]
                        lambda why: self._say(_("refused: {why}").format(why=why), error=True))

    def action_print_receipt(self) -> None:
        from salon_cli.services.receipts import delivery, files

        sale_id, refund_id, lang = self.sale_id, self.refund_id, self.settings.language
        protected = files.protected_by_engine(self.app.engine)  # type: ignore[attr-defined]

        def work(actor: Any, location: Any) -> str:
            done = delivery.print_receipt(self.app.engine, actor=actor, location=location,  # type: ignore[attr-defined]
                                          sale_id=sale_id, refund_id=refund_id, lang=lang, protected=protected)
            return _("printed on {printer}").format(printer=done.printer)

        self._outside(_("printing…"), work)

    def action_email_receipt(self) -> None:
        if self.receipt is None:
            return
        sale_id, refund_id, lang = self.sale_id, self.refund_id, self.settings.language

        def given(values: dict[str, str] | None) -> None:
            if values is None:
                return
            to = values["to"]

            def work(actor: Any, location: Any) -> str:
                from salon_cli.services.messages.channels import channels_from_env
                from salon_cli.services.receipts import delivery

                sent = delivery.email_receipt(self.app.engine, actor=actor, location=location,  # type: ignore[attr-defined]
                                              sale_id=sale_id, refund_id=refund_id, to=to, lang=lang,
                                              channels=channels_from_env())
                return _("e-mailed to {to}").format(to=sent.to)

            self._outside(_("sending…"), work)

        self.app.push_screen(FormModal(_("E-mail the receipt"), [Field("to", _("E-mail"),
                                                                       value=self.receipt.client_email or "",
                                                                       placeholder="client@example.com")],
                                       note=_("The receipt goes with its PDF attached."), ok=_("Send")), given)

    def default_pdf(self) -> Path:
        from salon_cli.services.receipts.emailing import filename

        return self.settings.home / "receipts" / filename(self.receipt)

    def action_save_pdf(self) -> None:
        if self.receipt is None:
            return
        receipt = self.receipt

        def given(values: dict[str, str] | None) -> None:
            if values is None:
                return
            path = Path(values["path"]).expanduser()

            def job() -> None:
                from salon_cli.services.receipts import emailing, files

                try:
                    files.save(path, emailing.receipt_pdf(receipt), "pdf", option="the file",
                               protected=files.protected_by_engine(self.app.engine))  # type: ignore[attr-defined]
                except Exception as exc:  # noqa: BLE001 - said on screen
                    self.app.call_from_thread(self._say, self.app.describe_failure(exc), error=True)  # type: ignore[attr-defined]
                    return
                self.app.call_from_thread(self._saved, path)

            self._say(_("saving…"))
            self.run_worker(job, thread=True, group="receipt-out", exit_on_error=False)

        self.app.push_screen(FormModal(_("Save the receipt as PDF"),
                                       [Field("path", _("File"), value=str(self.default_pdf()))], ok=_("Save")), given)

    def _saved(self, path: Path) -> None:
        self.saved = path
        self._say(_("saved to {path}").format(path=path))
