"""`salon client add | show | edit | list | tag | untag | prefs`: profiles, tags, preferences (notes: `notes`).

Private notes show only to a reader who proves who they are (`--as CODE --pin PIN`) and may read
them: the owner, a manager, or the note's author. Without that, `show` and `notes` hold them back
and say on stderr how many were held back.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from salon_cli.cli.clients.group import client_app, note_reader, say_hidden
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.clients.views import ClientCard
    from salon_cli.services.salon.locations import LocationView

CLIENT_COLUMNS = ["id", "first_name", "last_name", "phone", "email", "birthday", "tags", "no_show_count",
                  "deposit_required", "gender", "street", "city", "state", "postal_code", "country", "phone2",
                  "email2", "occupation", "emergency_name", "emergency_phone", "marketing_consent",
                  "merged_into_id"]
GENDER_HELP = "female, male, non_binary or other (f, m, mujer, hombre, no binario are understood)."
LIST_COLUMNS = ["id", "first_name", "last_name", "phone", "email", "tags", "visits", "total_spent_cents",
                "last_visit_at"]
CARD_COLUMNS = [*CLIENT_COLUMNS, "visits", "total_spent_cents", "first_visit_at", "last_visit_at",
                "last_no_show_on", "next_expiry_on", "next_expiry_points",
                "channel", "reminder", "preferred_staff_codes", "preferred_services", "requests"]
NOTE_COLUMNS = ["id", "created_at", "type", "private", "author", "body"]
PREFS_COLUMNS = ["client_id", "channel", "reminder", "language", "preferred_staff_codes", "preferred_services",
                 "requests", "updated_at"]


class Sort(StrEnum):
    name = "name"
    last_visit = "last_visit"
    total_spent = "total_spent"
    visits = "visits"


@client_app.command("add")
def add(
    ctx: typer.Context,
    first: str = typer.Option(..., "--first", help="First name(s)."),
    last: str = typer.Option(..., "--last", help="Last name(s); both surnames if the client uses them."),
    phone: str | None = typer.Option(None, "--phone", help="As typed; national numbers take the location's country."),
    email: str | None = typer.Option(None, "--email"),
    birthday: str | None = typer.Option(None, "--birthday", help="YYYY-MM-DD."),
    tags: list[str] = typer.Option([], "--tag", help="A tag; repeat for more."),
    street: str | None = typer.Option(None, "--street", help="Street and number."),
    city: str | None = typer.Option(None, "--city"),
    state: str | None = typer.Option(None, "--state", help="State or province."),
    postal_code: str | None = typer.Option(None, "--postal-code"),
    country: str | None = typer.Option(None, "--country", help="ISO 3166-1 code, e.g. MX, ES, US."),
    phone2: str | None = typer.Option(None, "--phone2", help="A second phone (same rules as --phone)."),
    email2: str | None = typer.Option(None, "--email2", help="A second e-mail."),
    occupation: str | None = typer.Option(None, "--occupation"),
    emergency_name: str | None = typer.Option(None, "--emergency-name", help="Emergency contact's name."),
    emergency_phone: str | None = typer.Option(None, "--emergency-phone", help="Emergency contact's phone."),
    gender: str | None = typer.Option(None, "--gender", help=GENDER_HELP),
    external_code: str | None = typer.Option(None, "--external-code", help="The client's code in another system."),
    consent: bool = typer.Option(False, "--marketing-consent/--no-marketing-consent",
                                 help="Agreed to marketing messages."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a client and print it.

    Example: salon --as sofia client add --first Ximena --last "Jiménez Ruiz" --phone "55 1234 5678" --tag vip

    Example: salon --as sofia client add --first Ana --last Ruiz --street "Av. Juárez 10" --city CDMX --country MX --emergency-name "Luis Ruiz" --emergency-phone "55 8765 4321" --gender mujer
    """
    from salon_cli.services.clients import profiles as clients

    app = app_context(ctx)
    loc = app.location()
    parts = dict(street=street, city=city, state=state, postal_code=postal_code, country=country, phone2=phone2,
                 email2=email2, occupation=occupation, emergency_name=emergency_name,
                 emergency_phone=emergency_phone, gender=gender)
    client = app.change(Permission.desk, lambda session, actor: clients.add(
        session, actor=actor, location=loc, first_name=first, last_name=last, phone=phone, email=email,
        birthday=birthday, tags=tags, external_code=external_code, marketing_consent=consent, **parts))
    emit(client, fmt, one=True, columns=CLIENT_COLUMNS, tz=loc.tz)


@client_app.command("show")
def show(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    notes: int = typer.Option(20, "--notes", min=0, help="How many of the newest notes to show."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A client's card: profile, tags, visits at this location, preferences and notes.

    Example: salon --as marco --pin 2222 client show 42 -f json
    """
    from salon_cli.services.clients import views as client_views

    app = app_context(ctx)
    loc = app.location()
    reader = note_reader(app)
    card = app.read(lambda session: client_views.show(
        session, client_id=client_id, reader=reader, location_id=loc.id, notes_limit=notes))
    if card.merged_into_id is not None:
        message(f"client {card.id} was merged into client {card.merged_into_id}: "
                f"see salon client show {card.merged_into_id}")
    if fmt is Format.table:
        _card_table(card, loc)
    else:
        emit(card, fmt, one=True, tz=loc.tz)
    say_hidden(card.private_notes_hidden, reader)


def _card_table(card: ClientCard, loc: LocationView) -> None:
    record = {k: v for k, v in asdict(card).items() if k not in ("notes", "prefs")}
    record.update({k: v for k, v in asdict(card.prefs).items() if k != "client_id"})
    emit(record, Format.table, one=True, columns=CARD_COLUMNS, tz=loc.tz, currency=loc.currency)
    if card.notes:
        print()
        emit(card.notes, Format.table, columns=NOTE_COLUMNS, tz=loc.tz)


@client_app.command("edit")
def edit(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    first: str | None = typer.Option(None, "--first"),
    last: str | None = typer.Option(None, "--last"),
    phone: str | None = typer.Option(None, "--phone", help='"" clears it.'),
    email: str | None = typer.Option(None, "--email", help='"" clears it.'),
    birthday: str | None = typer.Option(None, "--birthday", help='YYYY-MM-DD; "" clears it.'),
    street: str | None = typer.Option(None, "--street", help='Street and number; "" clears it.'),
    city: str | None = typer.Option(None, "--city", help='"" clears it.'),
    state: str | None = typer.Option(None, "--state", help='State or province; "" clears it.'),
    postal_code: str | None = typer.Option(None, "--postal-code", help='"" clears it.'),
    country: str | None = typer.Option(None, "--country", help='ISO 3166-1 code, e.g. MX; "" clears it.'),
    phone2: str | None = typer.Option(None, "--phone2", help='A second phone; "" clears it.'),
    email2: str | None = typer.Option(None, "--email2", help='A second e-mail; "" clears it.'),
    occupation: str | None = typer.Option(None, "--occupation", help='"" clears it.'),
    emergency_name: str | None = typer.Option(None, "--emergency-name", help='"" clears it.'),
    emergency_phone: str | None = typer.Option(None, "--emergency-phone", help='"" clears it.'),
    gender: str | None = typer.Option(None, "--gender", help=GENDER_HELP + ' "" clears it.'),
    external_code: str | None = typer.Option(None, "--external-code"),
    consent: bool | None = typer.Option(None, "--marketing-consent/--no-marketing-consent"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a client's profile (only what is given; "" clears an optional field).

    Example: salon --as sofia client edit 42 --email alejandra.perez@example.com --birthday 1990-04-12

    Example: salon --as sofia client edit 42 --city Guadalajara --state Jalisco --postal-code 44100 --phone2 ""
    """
    from salon_cli.services.clients import profiles as clients

    app = app_context(ctx)
    loc = app.location()
    parts = dict(street=street, city=city, state=state, postal_code=postal_code, country=country, phone2=phone2,
                 email2=email2, occupation=occupation, emergency_name=emergency_name,
                 emergency_phone=emergency_phone, gender=gender)
    client = app.change(Permission.desk, lambda session, actor: clients.edit(
        session, actor=actor, location=loc, client_id=client_id, first_name=first, last_name=last,
        phone=phone, email=email, birthday=birthday, external_code=external_code, marketing_consent=consent,
        **parts))
    emit(client, fmt, one=True, columns=CLIENT_COLUMNS, tz=loc.tz)


@client_app.command("list")
def list_(
    ctx: typer.Context,
    tags: list[str] = typer.Option([], "--tag", help="Only clients with this tag; repeat: all of them."),
    min_visits: int | None = typer.Option(None, "--min-visits", min=0, help="At least this many visits here."),
    min_spent: str | None = typer.Option(None, "--min-spent", help="At least this much spent here (e.g. 1500)."),
    inactive_days: int | None = typer.Option(None, "--inactive-days", min=0,
                                             help="No visit in this many days."),
    sort: Sort = typer.Option(Sort.name, "--sort", help="name, last_visit, total_spent or visits."),
    desc: bool = typer.Option(False, "--desc", help="Largest, latest or Z first."),
    limit: int | None = typer.Option(None, "--limit", min=1),
    offset: int = typer.Option(0, "--offset", min=0),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List clients with their visits and spend at this location (completed appointments for now).

    Example: salon client list --tag vip --inactive-days 60 --sort total_spent --desc --limit 20
    """
    from salon_cli.core.money import parse_amount
    from salon_cli.services.clients import views as client_views

    app = app_context(ctx)
    loc = app.location()
    spent = parse_amount(min_spent, loc.currency, what="--min-spent") if min_spent is not None else None
    rows = app.read(lambda session: client_views.list_clients(
        session, location_id=loc.id, tags=tags, min_visits=min_visits, min_spent_cents=spent,
        inactive_days=inactive_days, sort=sort.value, desc=desc, limit=limit, offset=offset))
    emit(rows, fmt, columns=LIST_COLUMNS, tz=loc.tz, currency=loc.currency)


@client_app.command("tag")
def tag(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    tags: list[str] = typer.Argument(..., help="Tags to add (lower-cased, no accents, spaces become '-')."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Tag a client.

    Example: salon --as sofia client tag 42 vip novia
    """
    from salon_cli.services.clients import profiles as clients

    app = app_context(ctx)
    loc = app.location()
    client = app.change(Permission.desk, lambda session, actor: clients.tag(
        session, actor=actor, location=loc, client_id=client_id, tags=tags))
    emit(client, fmt, one=True, columns=CLIENT_COLUMNS, tz=loc.tz)


@client_app.command("untag")
def untag(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    tags: list[str] = typer.Argument(..., help="Tags to remove."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Remove tags from a client (tags it does not have are ignored).

    Example: salon --as sofia client untag 42 novia
    """
    from salon_cli.services.clients import profiles as clients

    app = app_context(ctx)
    loc = app.location()
    client = app.change(Permission.desk, lambda session, actor: clients.untag(
        session, actor=actor, location=loc, client_id=client_id, tags=tags))
    emit(client, fmt, one=True, columns=CLIENT_COLUMNS, tz=loc.tz)


@client_app.command("prefs")
def prefs(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    channel: str | None = typer.Option(None, "--channel", help='sms, email or whatsapp ("" clears it).'),
    reminder: str | None = typer.Option(None, "--reminder", help="24h, 1h, both or none."),
    staff: list[str] | None = typer.Option(None, "--staff",
                                           help='Preferred stylist (code); repeat, in order: the first is '
                                                'offered first; "" clears them.'),
    services: list[str] | None = typer.Option(None, "--service",
                                              help='Preferred service (code or name); repeat; "" clears them.'),
    requests: str | None = typer.Option(None, "--requests", help='Special requests ("" clears them).'),
    language: str | None = typer.Option(None, "--language", help='es or en: the language of their messages ("" clears it: the location\'s).'),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Show a client's preferences, or change them with any option.

    Example: salon --as sofia client prefs 42 --channel whatsapp --reminder both --staff ana --service balayage

    Example: salon --as sofia client prefs 42 --staff ana --staff marco
    """
    from salon_cli.services.clients import notes as client_notes

    app = app_context(ctx)
    loc = app.location()
    if all(v is None for v in (channel, reminder, requests, language)) and not services and not staff:
        shown = app.read(lambda session: client_notes.prefs(session, client_id=client_id))
    else:
        shown = app.change(Permission.desk, lambda session, actor: client_notes.set_prefs(
            session, actor=actor, location=loc, client_id=client_id, channel=channel, reminder=reminder,
            staff=staff or None, services=services or None, requests=requests, language=language))
    emit(shown, fmt, one=True, columns=PREFS_COLUMNS, tz=loc.tz)
