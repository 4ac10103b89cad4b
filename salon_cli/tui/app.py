"""`salon tui`: the receptionist's day in one keyboard-first screen.

The app holds no business rules. Screens call services through two doors that run in thread workers
and answer on the UI thread: `read(work, done, failed)` (a read-only unit of work) and
`change(permission, work, done, failed)` (the acting staff member identified as the CLI does, then one
committed unit of work). Who acts: the staff member signed in at the desk (`s`); a manager-only action
asks for a manager's code and PIN in a modal, every time. Errors are shown, never a crash.

Changes from other terminals and cron show on the screen on show (`live`): on PostgreSQL as they commit
(LISTEN/NOTIFY), on SQLite within `poll_seconds` (the app polls one cheap change marker).

The language it speaks is chosen as it loads, before the first screen composes (`desk_language`).
Its words are English in the source, wrapped in `_` where shown (`N_` where defined at import time, as
`BINDINGS`).

Imports inside methods are the dashboard's launch kept light (benchmarks/tui.py): a screen's module
loads when the screen first opens (the first paint needs only Today's), a service when first called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from salon_cli import launch
from salon_cli.core.errors import SalonError
from salon_cli.core.permissions import Permission, needs_pin
from salon_cli.db.uow import UnitOfWork
from salon_cli.i18n import N_, _
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.desk_language import DeskLanguage
from salon_cli.tui.live import LiveRefresh
from salon_cli.tui.palette import SalonCommands
from salon_cli.tui.screens.modals import pin_modal, sign_in_modal
from salon_cli.tui.words import describe, role_name

T = TypeVar("T")
Done = Callable[[Any], None]
Failed = Callable[[str], None]

class SalonApp(DeskLanguage, LiveRefresh, App[None]):
    """The front-desk dashboard over one database and location."""

    TITLE = "salon"  # the product's name (no header shows it): not translated
    CSS_PATH = "salon.tcss"
    COMMANDS = App.COMMANDS | {SalonCommands}
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), id="quit"),
        Binding("slash", "search", N_("Find client"), key_display="/", id="search"),
        Binding("s", "sign_in", N_("Sign in"), id="sign-in"),
        Binding("b", "book", N_("Book"), id="book"),
        Binding("n", "new_client", N_("New client"), id="new-client"),
        Binding("N", "no_shows", N_("No-shows"), id="no-shows"),
        Binding("z", "close_day", N_("Close day"), id="close-day"),
        Binding("S", "sell", N_("Sell"), id="sell"),
        Binding("L", "sales", N_("Sales"), id="sales", show=False),
        Binding("D", "drawer", N_("Drawer"), id="drawer", show=False),
        Binding("f1", "help", N_("Help"), id="help"),
        Binding("f2", "toggle_theme", N_("Theme"), id="theme", show=False),
    ]

    def __init__(self, engine: Engine, location_code: str | None = None, *, poll_seconds: float = 2.0,
                 location: LocationView | None = None, demo: bool = False, welcome: bool = False,
                 language: str | None = None) -> None:
        super().__init__()
        self.language = language or "en"  # what the desk reads: es or en, chosen on load (`choose_language`)
        self._language_given = language
        self.demo = demo  # the demo salon: F1 also lists its staff codes and PINs
        self.welcome = welcome  # the demo was just built: show those once, at start
        self.engine = engine
        self.location_code = location_code
        self.location: LocationView | None = location  # given when the caller has read it already
        self.desk: Actor | None = None  # who signed in at the desk
        self.poll_seconds = poll_seconds  # 0: no refresh for changes made elsewhere (`live`)

    def get_default_screen(self) -> Any:
        from salon_cli.tui.screens.book.today import TodayScreen

        return TodayScreen()

    def on_mount(self) -> None:
        if self.welcome:
            from salon_cli.tui.screens.help import DemoWelcome

            self.push_screen(DemoWelcome())
        self.set_timer(5, launch.settle)  # if the first Today never paints (an error), start-up still ends
        self.start_refresh()

    # -- the two doors to the services -------------------------------------------------------------

    def _location(self, session: Any) -> LocationView:
        if self.location is None:
            self.location = locations.resolve(session, self.location_code)
        return self.location

    def read(self, work: Callable[[Any, LocationView], T], done: Callable[[T], None],
             failed: Failed | None = None, *, group: str = "read", exclusive: bool | None = None) -> None:
        """Run `work(session, location)` read-only in a thread; `done(result)` on the UI thread. A named
        group is exclusive unless said otherwise: starting a read cancels the group's running one."""
        def job() -> None:
            try:
                with UnitOfWork(self.engine, write=False) as uow:
                    result = work(uow.session, self._location(uow.session))
            except Exception as exc:  # noqa: BLE001 - a read that breaks says so on screen, never hangs it
                self.call_from_thread(failed or self.show_error, self.describe_failure(exc))
                return
            self.call_from_thread(done, result)

        if exclusive is None:
            exclusive = group != "read"
        self.run_worker(job, thread=True, exclusive=exclusive, group=group, exit_on_error=False)

    def change(self, permission: Permission, work: Callable[[Any, LocationView, Actor], T],
               done: Callable[[T], None], failed: Failed | None = None, *, title: str | None = None,
               manager: Permission | None = None) -> None:
        """Run `work(session, location, actor)` in one committed transaction as the desk's staff member,
        or, for a manager-only permission, as the manager who types their code and PIN now. With
        `manager`, a desk change the service refuses as not permitted (a refund in a cancel, a late
        undo) asks for a manager's PIN, with the service's reason, and runs again as that manager."""
        if needs_pin(permission):
            def given(values: dict[str, str] | None) -> None:
                if values is not None:
                    self._run_change(permission, work, done, failed, values["who"], values["pin"])

            who = self.desk.code if self.desk and self.desk.role in ("owner", "manager") else ""
            self.push_screen(pin_modal(title or _("A manager's PIN is needed"), who), given)
            return
        if manager is not None:
            failed = self._escalating(manager, work, done, failed)
        if self.desk is None:
            self._ask_sign_in(lambda: self._run_change(permission, work, done, failed, self.desk.code, None))  # type: ignore[union-attr]
            return
        self._run_change(permission, work, done, failed, self.desk.code, None)

    def _escalating(self, manager: Permission, work: Callable[[Any, LocationView, Actor], T],
                    done: Callable[[T], None], failed: Failed | None) -> Any:
        def refused(text: str, exc: BaseException | None = None) -> None:
            from salon_cli.core.errors import NotPermitted

            if isinstance(exc, NotPermitted) and not (self.desk and self.desk.role in ("owner", "manager")):
                self.change(manager, work, done, failed, title=text.split(" (")[0][:70])
                return
            (failed or self.show_error)(text)

        refused.wants_error = True  # type: ignore[attr-defined]
        return refused

    def change_with_pin(self, permission: Permission, work: Callable[[Any, LocationView, Actor], T],
                        done: Callable[[T], None], failed: Failed | None = None, *, title: str | None = None,
                        who: str | None = None) -> None:
        """A desk action that needs the acting staff member's own PIN (e.g. a stamp when the program
        asks for one): the modal is filled with whoever is signed in, or with `who` ("" when someone
        else, a manager, must sign: the code box starts empty and takes the focus)."""
        def given(values: dict[str, str] | None) -> None:
            if values is not None:
                self._run_change(permission, work, done, failed, values["who"], values["pin"])

        self.push_screen(pin_modal(title if title is not None else _("Your PIN"),
                                   who if who is not None else self.desk.code if self.desk else ""), given)

    def _run_change(self, permission: Permission, work: Callable[[Any, LocationView, Actor], T],
                    done: Callable[[T], None], failed: Failed | None, who: str, pin: str | None) -> None:
        from salon_cli.services.salon import staff

        def job() -> None:
            try:
                with UnitOfWork(self.engine) as uow:
                    location = self._location(uow.session)
                    actor = staff.identify(uow, who=who, pin=pin, location=location, permission=permission)
            except (SalonError, SQLAlchemyError) as exc:  # who is acting: never a reason to ask a manager
                self.call_from_thread(failed or self.show_error, self.describe_failure(exc))
                return
            try:
                with UnitOfWork(self.engine) as uow:
                    result = work(uow.session, location, actor)
                    uow.commit()
            except (SalonError, SQLAlchemyError) as exc:
                if getattr(failed, "wants_error", False):
                    self.call_from_thread(failed, self.describe_failure(exc), exc)  # type: ignore[misc]
                else:
                    self.call_from_thread(failed or self.show_error, self.describe_failure(exc))
                return
            self.call_from_thread(done, result)

        self.run_worker(job, thread=True, group="change", exit_on_error=False)

    def describe_failure(self, exc: BaseException) -> str:
        """`describe`, naming this app's database file where that helps."""
        return describe(exc, self.engine.url)

    def show_error(self, text: str) -> None:
        self.notify(text, title=_("Refused"), severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # a bug in a worker (not a SalonError): shown, not a crash
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            from salon_cli.db.failures import explain

            known = explain(error, self.engine.url) if error is not None else None
            said = describe(known) if known is not None else f"{type(error).__name__}: {error}".splitlines()[0]
            text = _("error: {text}").format(text=said)
            setter = getattr(self.screen, "_set_summary", None)
            if callable(setter):
                setter(text, error=True)
            else:
                self.show_error(text)

    # -- who is at the desk --------------------------------------------------------------------------

    def _ask_sign_in(self, then: Callable[[], None] | None = None) -> None:
        from salon_cli.services.salon import staff

        def given(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> None:
                try:
                    with UnitOfWork(self.engine) as uow:
                        actor = staff.identify(uow, who=values["who"], pin=values["pin"],
                                               location=self._location(uow.session), permission=Permission.desk)
                except (SalonError, SQLAlchemyError) as exc:
                    self.call_from_thread(self.show_error, self.describe_failure(exc))
                    return
                self.call_from_thread(self._signed_in, actor, then)

            self.run_worker(job, thread=True, group="sign-in", exit_on_error=False)

        self.push_screen(sign_in_modal(), given)

    def _signed_in(self, actor: Actor, then: Callable[[], None] | None) -> None:
        self.desk = actor
        self.sub_title = _("desk: {name} ({role})").format(name=actor.name, role=role_name(actor.role))
        self.notify(_("{name} is at the desk").format(name=actor.name))
        if then is not None:
            then()

    def action_sign_in(self) -> None:
        self._ask_sign_in()

    # -- screens -----------------------------------------------------------------------------------

    def _open(self, screen_type: type, *args: Any) -> None:
        """Show a screen, unless it is the one on show already (pressing `z` twice opens one close)."""
        if type(self.screen) is not screen_type:
            self.push_screen(screen_type(*args))

    def action_search(self) -> None:
        from salon_cli.tui.screens.clients.search import ClientSearchScreen

        self._open(ClientSearchScreen)

    def open_client(self, client_id: int, notice: str = "") -> None:
        from salon_cli.tui.screens.clients.client_card import ClientCardScreen

        self.push_screen(ClientCardScreen(client_id, notice=notice))

    async def action_new_client(self) -> None:
        """A new client from anywhere: the form, then the card of the client it answers with (the one
        added, or the one on file already). Awaited until the form is up, so that what is typed right
        after `n` waits for its fields rather than reaching a screen with none."""
        from textual.screen import ModalScreen

        from salon_cli.tui.screens.clients.client_form import ClientForm

        if isinstance(self.screen, ModalScreen):
            return  # a form or a question is open: finish it first
        form = ClientForm()

        def answered(client_id: int | None) -> None:
            if client_id is not None:
                self.open_client(client_id, notice=form.told)

        await self.push_screen(form, answered)

    def action_book(self) -> None:
        self.open_booking()

    def open_booking(self, **prefill: Any) -> None:
        """The booking form, prefilled (`client_id`, `staff`, `at`, `services`): the grid's empty slot, the
        client card's rebooking. The screen underneath reads again when an appointment is booked."""
        from salon_cli.tui.screens.book.booking_form import BookingForm

        if isinstance(self.screen, BookingForm):
            return  # `b` typed into a form that is still opening
        self.push_screen(BookingForm(**prefill), self._booked)

    def open_walk_in(self) -> None:
        from salon_cli.tui.screens.book.walk_in import WalkInForm

        self.push_screen(WalkInForm(), self._booked)

    def _booked(self, appointment_id: int | None) -> None:
        if appointment_id is None:
            return
        show = getattr(self.screen, "show_appointment", None)  # the book: its day, the cursor on it
        reload = getattr(self.screen, "data_changed", None)
        if callable(show):
            show(appointment_id)
        elif callable(reload):
            reload()

    def open_checkout(self, appointment_id: int | None = None, *, sale_id: int | None = None,
                      client_id: int | None = None) -> None:
        """The checkout of an appointment, of an open sale (the close's and the sales list's), or a sale
        at the desk for a client."""
        from salon_cli.tui.screens.till.checkout import CheckoutScreen

        self.push_screen(CheckoutScreen(appointment_id, sale_id=sale_id, client_id=client_id))

    def action_sell(self) -> None:
        """A sale at the desk with no appointment: gift cards, memberships, retail."""
        from salon_cli.tui.screens.till.checkout import CheckoutScreen

        if not isinstance(self.screen, CheckoutScreen):
            self.push_screen(CheckoutScreen(None))

    def action_sales(self) -> None:
        from salon_cli.tui.screens.till.sales_today import SalesScreen

        self._open(SalesScreen)

    def action_drawer(self) -> None:
        from salon_cli.tui.screens.closing.drawer import DrawerScreen

        self._open(DrawerScreen)

    def action_close_day(self) -> None:
        from salon_cli.tui.screens.closing.close_day import CloseDayScreen

        self._open(CloseDayScreen)

    def open_close_day(self, day: Any = None) -> None:
        """The close of an earlier day left unclosed (the Today screen's warning), or of today."""
        from salon_cli.tui.screens.closing.close_day import CloseDayScreen

        self.push_screen(CloseDayScreen(day))

    def action_no_shows(self) -> None:
        from salon_cli.tui.screens.book.no_shows import NoShowsScreen

        self._open(NoShowsScreen)

    async def action_quit(self) -> None:
        """Quit; a sale in progress (money taken and a balance left, or a card at the reader) asks first,
        and a sale a checkout opened and took no money for is not left behind (`leave_nothing`)."""
        waiting = [text for screen in self.screen_stack
                   if callable(ask := getattr(screen, "in_progress", None)) and (text := ask())]
        if not waiting:
            self._quit_leaving_nothing()
            return
        from salon_cli.tui.screens.till.checkout_modals import ConfirmModal

        def sure(yes: bool | None) -> None:
            if yes:
                self._quit_leaving_nothing()

        note = _("{waiting}. Quitting leaves the sale open (the close lists it).").format(waiting="; ".join(waiting))
        self.push_screen(ConfirmModal(_("Quit with a sale in progress?"), note[:1].upper() + note[1:], ok=_("Quit")),
                         sure)

    def _quit_leaving_nothing(self) -> None:
        leaving = [screen for screen in self.screen_stack if callable(getattr(screen, "leave_nothing", None))]

        def next_one() -> None:
            if leaving:
                leaving.pop().leave_nothing(next_one)
            else:
                self.exit()

        next_one()

    def action_help(self) -> None:
        from salon_cli.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


def run(engine: Engine, location_code: str | None = None, location: LocationView | None = None, *,
        demo: bool = False, welcome: bool = False, language: str | None = None) -> None:
    """Open the dashboard in this terminal until the user quits (in `language`, else as `choose_language` says)."""
    SalonApp(engine, location_code, location=location, demo=demo, welcome=welcome, language=language).run()
