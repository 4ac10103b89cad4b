"""The close's review and the close itself, mixed into `CloseDayScreen`: the count committed, against the
books (expected, counted, the variance, a note input past the policy's threshold), a count again (a
manager's code and PIN), then the close: before the salon's closing hour the question first
(`close_modals.EarlyCloseModal`), and with the manager's approval of closing over unfinished work
(`close_unfinished`) passed on to `day_close.close` (`approved_by`), its note kept with the close. The words
are the desk's language (`_`), the money `i18n.formats`'."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from salon_cli.i18n import _, formats
from salon_cli.tui.screens.closing.close_count import denomination_label, variance_words
from salon_cli.tui.screens.closing.close_report import report_text


class ReviewSteps:
    preview: dict[str, Any] | None = None

    def _needs_note(self) -> bool:
        return self.preview is not None and abs(self.preview["variance_cents"]) > self.threshold

    def _show_review(self, report: dict[str, Any]) -> None:
        self.preview = report
        cur = self.currency
        expected, count, variance = report["expected_cash_cents"], report["counted_cash_cents"], report["variance_cents"]
        text = Text()
        labels = [_("expected"), _("counted"), _("variance")]
        width = max(map(len, labels)) + 2
        text.append(_("The count against the books") + "\n", style="bold")
        text.append(f"  {labels[0].ljust(width)}{formats.money(expected, cur):>16}\n")
        text.append(f"  {labels[1].ljust(width)}{formats.money(count, cur):>16}\n")
        style = "" if variance == 0 else ("bold red" if abs(variance) > self.threshold else "yellow")
        text.append(f"  {labels[2].ljust(width)}")
        text.append(variance_words(variance, cur), style=style)
        needs_note = self._needs_note()
        if needs_note:
            text.append("\n" + _("More than the {amount} the policy allows without a note: say why below.").format(
                amount=formats.money(self.threshold, cur)), style="bold")
        self.query_one("#variance", Static).update(text)
        if self.approval is not None:
            self.query_one("#intro", Static).update(self._approved_words().rstrip())
        self._go("review")
        by = " · ".join(f"{denomination_label(c['denomination_cents'], cur)}x{c['count']}"
                        for c in report["count"] or [])
        self.query_one("#running", Static).update(
            _("Counted: {amount}").format(amount=formats.money(count, cur)) + (f" ({by})" if by else ""))
        note = self.query_one("#note", Input)
        note.display = needs_note
        self.query_one("#report", Static).update(report_text(report))
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        if needs_note:
            note.focus(scroll_visible=False)  # the variance above it stays in sight
            self._set_summary(_("a note is needed; then ctrl+s closes the day (ctrl+r: a manager counts again)"))
        else:
            self.query_one("#body").focus()
            self._set_summary(_("ctrl+s closes the day (ctrl+r: a manager counts again)"))

    def action_recount(self) -> None:
        if self.step != "review":
            return
        self.preview = None
        self.query_one("#report", Static).update("")
        self._go("count")
        self._update_running()
        self.query_one("#intro", Static).update(
            _("Count again: the count made is kept, and a manager's code and PIN are needed."))
        self._set_summary(_("count the drawer, then ctrl+s (a manager's PIN) to check it"))
        fields = list(self.query("#denominations Input, #total").results(Input))
        if fields:
            fields[0].focus()

    def _approved_words(self) -> str:
        if self.approval is None or self.left is None:
            return ""
        return _("Closing over {what}, approved by {manager}: {note}").format(
            what=self.left.words(), manager=self.approval[0].name, note=self.approval[1]) + "\n"

    def action_confirm_close(self) -> None:
        """Close: first, before the closing hour, the question (`EarlyCloseModal`); then the close."""
        from salon_cli.services.closing import day_close

        if self.step != "review" or self._count is None:
            return
        if self._needs_note() and not self.query_one("#note", Input).value.strip() and self.approval is None:
            self._set_summary(_("the variance is past the policy's threshold: a note is needed"), error=True)
            self.query_one("#note", Input).focus()
            return
        day = self.day

        def asked(words: str | None) -> None:
            if words is None:
                self._close(early=False)
                return
            from salon_cli.tui.screens.closing.close_modals import EarlyCloseModal

            said_day = formats.day(day, self.currency, width="full")  # type: ignore[arg-type]
            self.app.push_screen(EarlyCloseModal(words, said_day),
                                 lambda yes: self._close(early=True) if yes else self._set_summary(
                                     _("not closed: the day stays open until you close it")))

        self.app.read(lambda s, loc: day_close.early_words(s, location=loc, day=day), asked,  # type: ignore[attr-defined]
                      group="close-early")

    def _close(self, *, early: bool) -> None:
        from salon_cli.core.permissions import Permission
        from salon_cli.services.closing import day_close

        typed = self.query_one("#note", Input).value.strip() or None
        manager, approved_note = self.approval if self.approval is not None else (None, None)
        note = "; ".join(dict.fromkeys(n for n in (approved_note, typed) if n)) or None  # the manager's, then the desk's
        day, (total, items) = self.day, self._count  # type: ignore[misc]

        def failed(text: str) -> None:
            self._set_summary(_("refused: {text}").format(text=text), error=True)
            self.app.show_error(text)  # type: ignore[attr-defined]

        self.app.change(Permission.day_close, lambda s, loc, actor: day_close.close(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, day=day, counted_cents=total, note=note, denominations=items,
            early=early, approved_by=manager),
            lambda report: self._show_closed(report, already=False), failed, title=_("Close the day"))
