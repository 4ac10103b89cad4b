"""The closed day on the close screen: the Z-report printed on the location's receipt printer (`p`), saved
as PDF (`f`, in SALON_HOME/reports unless another path is typed), and the day re-opened (`R`: a reason,
then a manager's code and PIN; `day_close.reopen`), after which the screen goes back to the count.
Mixed into `CloseDayScreen`, which holds the stored report (`self.report`) and `_load`.

The Z-report's receipt text and PDF are `services.receipts.zreport`'s; files are written with the checks
every receipt file gets (`services.receipts.files`: never the database, never a file not ours). The screen's
own words are the desk's language (`_`); the receipt's are the location's (`_language`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from salon_cli.core.permissions import Permission
from salon_cli.i18n import _, formats
from salon_cli.tui.screens.modals import Field, FormModal


class ClosedKeys:
    report: dict[str, Any] | None = None

    def _language(self, session: Any, location: Any) -> str:
        from salon_cli.services.receipts.words import language
        from salon_cli.services.salon.policy import row as policy_row
        from salon_cli.settings import Settings

        return language(policy_row(session, location).message_language, Settings.from_env().language)

    def action_print_report(self) -> None:
        from salon_cli.services.receipts import files, zreport

        report = self.report
        if report is None:
            return
        protected = files.protected_by_engine(self.app.engine)  # type: ignore[attr-defined]

        def work(s: Any, loc: Any, actor: Any) -> int:
            return zreport.print_report(s, loc, report, actor=actor, lang=self._language(s, loc), protected=protected)

        self._set_summary(_("printing the Z-report…"))  # type: ignore[attr-defined]
        self.app.change(Permission.desk, work,  # type: ignore[attr-defined]
                        lambda size: self._set_summary(  # type: ignore[attr-defined]
                            _("the Z-report is printed ({size} bytes sent)").format(size=size)),
                        lambda why: self._set_summary(_("not printed: {why}").format(why=why), error=True))  # type: ignore[attr-defined]

    def default_report_pdf(self) -> Path:
        from salon_cli.settings import Settings

        r = self.report or {}
        return Settings.from_env().home / "reports" / f"z-report-{r.get('location')}-{r.get('business_date')}.pdf"

    def action_save_report_pdf(self) -> None:
        report = self.report
        if report is None:
            return

        def given(values: dict[str, str] | None) -> None:
            from salon_cli.services.receipts import files, zreport

            if values is None:
                return
            path = Path(values["path"]).expanduser()
            protected = files.protected_by_engine(self.app.engine)  # type: ignore[attr-defined]

            def work(s: Any, loc: Any) -> Path:  # the PDF is made in the reading thread, then written
                data = zreport.pdf(report, loc, self._language(s, loc))
                return files.save(path, data, "pdf", option="the file", protected=protected)

            def saved(where: Path) -> None:  # the path in full in a notice too: the summary is one line
                said = _("the Z-report is saved to {path}").format(path=where)
                self._set_summary(said)  # type: ignore[attr-defined]
                self.app.notify(said)  # type: ignore[attr-defined]

            self._set_summary(_("saving…"))  # type: ignore[attr-defined]
            self.app.read(work, saved,  # type: ignore[attr-defined]
                          lambda why: self._set_summary(_("not saved: {why}").format(why=why), error=True),  # type: ignore[attr-defined]
                          group="z-report-pdf")

        self.app.push_screen(FormModal(_("Save the Z-report as PDF"), [  # type: ignore[attr-defined]
            Field("path", _("File"), value=str(self.default_report_pdf()))], ok=_("Save")), given)

    def action_reopen_day(self) -> None:
        from salon_cli.services.closing import day_close

        day = self.day  # type: ignore[attr-defined]
        if day is None or self.report is None:
            return
        said_day = formats.day(day, self.currency)  # type: ignore[attr-defined]

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def reopened(done: dict[str, Any]) -> None:
                self.app.notify(_("{day} is re-opened: revision {revision} is kept").format(  # type: ignore[attr-defined]
                    day=said_day, revision=done["revision"]))
                self.back_to_count()  # type: ignore[attr-defined]

            self.app.change(Permission.day_reopen, lambda s, loc, actor: day_close.reopen(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, day=day, reason=values["reason"]), reopened,
                lambda why: self._set_summary(_("refused: {text}").format(text=why), error=True),  # type: ignore[attr-defined]
                title=_("Re-open {day}: a manager's code and PIN").format(day=said_day))

        self.app.push_screen(FormModal(_("Re-open {day}?").format(day=said_day), [  # type: ignore[attr-defined]
            Field("reason", _("Reason (kept in the audit log)"))],
            note=_("A manager's code and PIN are asked next. This Z-report is kept as a revision; the day is "
                   "counted and closed again."), ok=_("Re-open")), asked)
