"""The walk-in form: a client who is here now, booked and checked in at once.

The client is found as in the booking form (`ClientPicker`); a name typed is resolved to a client or
asked about, never booked as nobody: only the "No client" option, picked, books an anonymous walk-in.
The stylist may be "any": the one free now. Enter on the stylist books. The result is the
appointment's id, or None.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widget import Widget

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.book.booking_checks import first_free, first_free_words
from salon_cli.tui.screens.book.booking_form import BookingForm
from salon_cli.tui.widgets.client_picker import ClientPicker
from salon_cli.tui.widgets.service_picker import ServicePicker
from salon_cli.tui.widgets.staff_picker import StaffPicker

SOON_MINUTES = 15  # "any stylist" for a walk-in: one free within this long (booked from then)


class WalkInForm(BookingForm):
    TITLE_TEXT = N_("Walk-in: starts now")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_class("walk-in")

    def fields(self) -> ComposeResult:
        yield ClientPicker(allow_none=True)
        yield ServicePicker(self.services)
        yield StaffPicker(self.staff)

    def prepare(self) -> None:
        def located(location: LocationView) -> None:
            self.location = location
            self._saving_now()

        self.app.read(lambda _s, loc: loc, located, self._refused, group="booking-location")  # type: ignore[attr-defined]
        self.set_focus(self.query_one(ClientPicker).input)

    def is_last(self, widget: Widget) -> bool:
        fields, here = self._place(widget)
        return here is not None and here == len(fields) - 1  # Enter on the stylist books

    def _recheck(self) -> None:
        """A walk-in starts now: the service checks the stylist's time when booking."""

    def action_save(self) -> None:
        if self._busy or self._wait_for_picks():
            return
        location = self.location
        assert location is not None
        client = self.query_one(ClientPicker).picked
        codes = self.query_one(ServicePicker).codes
        minutes = self.query_one(ServicePicker).minutes
        staff_picker = self.query_one(StaffPicker)
        typed = self.query_one(ClientPicker).input.value.strip()
        missing = (_("who is {typed!r}? choose the client, + New client, or No client").format(typed=typed)
                   if client is None and typed else
                   _("choose the client, or No client") if client is None else
                   _("choose a service") if not codes else
                   _("choose a stylist (or any)") if not staff_picker.decided else "")
        if missing:
            self.say(missing)
            return
        assert client is not None
        staff = staff_picker.chosen_code

        def work(session: Any, loc: LocationView, actor: Any) -> Any:
            from salon_cli.services.book import appointments

            code, at = staff, None  # None: now
            if code is None:
                now = clock.now()
                slot = first_free(session, loc, minutes=minutes, staff=None, at=now)
                if slot is None or (slot.starts_at - now).total_seconds() > SOON_MINUTES * 60:
                    raise InvalidInput(_("no stylist is free now") + first_free_words(slot, loc))
                code, at = slot.staff, (slot.starts_at if slot.starts_at > now else None)
            return appointments.book_appointment(session, actor=actor, location=loc, client_id=client.id,
                                                 services=list(codes), staff=code, at=at, walk_in=True)

        def done(booking: Any) -> None:
            self._busy = False
            first = booking.appointments[0]
            self.app.notify(_("walk-in booked: {client} with {staff} at {time} · {service}").format(
                client=first.client or _("no client"), staff=first.staff, service=first.service,
                time=formats.clock_time(first.starts_at, location.currency, location.tz)))
            self.dismiss(first.id)

        self._busy = True
        self.say(_("booking…"))
        self.app.change(Permission.desk, work, done, self._refused)  # type: ignore[attr-defined]
