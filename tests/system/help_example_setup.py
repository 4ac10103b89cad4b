"""What the help's examples read and continue from (tests/system/test_help_examples.py runs them).

`FILES`: the files an example names, written into its working directory first, as a salon would have them.
The CSV files are what another system exports: Spanish or English column names read with `--map`, the
rest named as our fields; sales dated before the demo's month of history (its days are closed).

`GIVEN`: the state an example continues from, made by the commands a salon would have run before it
(the promotion `promo end HAPPY10` ends, the no-show `appt reinstate 789` undoes, the payment at
Stripe that `stripe sync` fetches ...), each a command line or a function of the example's context
(`ctx.run(line)`, `ctx.work`, `ctx.desk`, `ctx.stripe`).
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import pytest

STRIPE_SECRET = "whsec_test_help_examples"  # the webhook signing secret the Stripe examples run with

FILES: dict[str, str] = {
    # salon import appointments citas.csv --map Cliente=client --map Servicio=service (US dates, 12-hour times)
    "citas.csv": (
        "Cliente,Servicio,staff,date,time,status\n"
        "55 8256 9631,Corte de dama,ana,10/15/2026,10:30 AM,completed\n"
        "grace.davis@example.com,Balayage,emma,10/16/2026,04:00 PM,completed\n"
        "55 5590 9953,Fade / degradado,diego,10/17/2026,12:15 PM,no-show\n"
    ),
    # salon import appointments no-shows.csv --map "Client Code=client" --status no_show: the old system's
    # no-show report (its client numbers are ours: the clients came with --keep-ids)
    "no-shows.csv": (
        "Client Code,date,time,service,staff\n"
        "42,2026-10-08,17:00,Corte de dama,ana\n"
        "87,2026-10-09,12:30,Fade / degradado,diego\n"
    ),
    "clientes.csv": (
        "Nombre,Apellido,Teléfono,email,birthday\n"
        "Renata,Soto Vega,55 3412 9087,renata.soto@example.com,14/03/1991\n"
        "Mateo,Aguilar Ríos,33 1765 4321,,02/11/1985\n"
    ),
    "codes.csv": "Code\nC-1042\nC-1043\nC-1044\n",
    "productos.csv": (
        "Artículo,Precio,Existencias\n"
        "Mascarilla de keratina 250 ml,$395.00,10\n"
        "Spray de brillo 120 ml,$260.00,6\n"
    ),
    # IVA 16 % inside each amount (450.00 holds 62.07); one receipt of two lines, paid in cash
    "tickets.csv": (
        "Ticket,Fecha,Concepto,Importe,IVA\n"
        "A-1001,03/10/2026,Corte de dama,450.00,62.07\n"
        "A-1001,03/10/2026,Shampoo reparador 300 ml,420.00,57.93\n"
        "A-1002,15/10/2026,Balayage,\"2,800.00\",386.21\n"
    ),
    # another till's export: amounts before IVA (241.38 + 38.62 = 280.00), read with --amount-before-tax and
    # kept in tickets.toml for the next month's file
    "tickets-septiembre.csv": (
        "Ticket,Fecha,Concepto,Importe,IVA\n"
        "A-0871,05/09/2026,Corte de caballero,241.38,38.62\n"
        "A-0872,19/09/2026,Manicure en gel,387.93,62.07\n"
    ),
    "tickets-octubre.csv": (
        "Ticket,Fecha,Concepto,Importe,IVA\n"
        "A-0903,02/10/2026,Corte de dama,387.93,62.07\n"
        "A-0904,14/10/2026,Pedicure spa,448.28,71.72\n"
    ),
    "menu.csv": (
        "Service Name,Duration,Price\n"
        "Keratina express,90,\"$1,250.00\"\n"
        "Alaciado permanente,180,\"$2,400.00\"\n"
    ),
    "listado.csv": "Código,name,Precio\nkeratina,Keratina express,1250\nalaciado,Alaciado permanente,2400\n",
}


def jpeg() -> bytes:
    """A small real photo (Pillow comes with fpdf2)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 80)).save(out, "JPEG")
    return out.getvalue()


# ----------------------------------------------------------------------------- state made before an example

def _sql(statement: str) -> Callable[[Any], None]:
    """The demo's loyalty codes are random (drawn as the app draws every code): the example's code is
    given to one of them."""
    def given(ctx: Any) -> None:
        conn = sqlite3.connect(ctx.desk.path)
        try:
            with conn:
                assert conn.execute(statement).rowcount == 1
        finally:
            conn.close()
    return given


def _client_pays_penalty_7(ctx: Any) -> None:
    """The desk sends penalty 7's payment link, and the client pays it at Stripe (the stand-in)."""
    ctx.run("salon --as sofia stripe link --penalty 7")
    (session,) = ctx.stripe.checkout_sessions
    ctx.stripe.complete_session(session)


def _saved_deliveries(ctx: Any) -> None:
    """Stripe's deliveries of that payment, saved as the webhook received them an hour ago."""
    from stripe_standin import signed

    _client_pays_penalty_7(ctx)
    lines = []
    for event in ctx.stripe.events:
        payload, header = signed(event, STRIPE_SECRET, timestamp=int(time.time()) - 3600)
        lines.append(json.dumps({"payload": payload.decode("utf-8"), "signature": header}))
    (ctx.work / "deliveries.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _event_failed(ctx: Any) -> None:
    """The webhook's delivery of that payment failed to apply (the database was locked at the time)."""
    from unittest import mock

    from salon_cli.services.stripe import apply, events

    _client_pays_penalty_7(ctx)
    event = {**next(e for e in ctx.stripe.events if e["type"] == "payment_intent.succeeded"),
             "id": "evt_1QxYz2AbCdEf"}
    with mock.patch.object(apply, "apply", side_effect=RuntimeError("database is locked")):
        with pytest.raises(events.EventFailed):
            events.store_and_apply(ctx.desk.engine, event, source="webhook")


PROMO_HAPPY10 = ("salon --as lucia --pin 1234 promo add HAPPY10 --kind percent --value 10% --days tue,sat "
                 "--hours 10:00-14:00 --limit 100")
PROMO_BDAY = "salon --as lucia --pin 1234 promo add BDAY --kind percent --value 20 --birthday-days 7"
NOTE_BY_ANA = 'salon --as ana client note 42 "Alergia al tinte con amoníaco" --type medical --private'
PHOTO = 'salon --as ana client photo add 42 ~/fotos/balayage.jpg --caption "después"'
FOLLOW_UP = 'salon --as sofia client follow-up 42 --on 2026-12-14 --note "Llamar: resultado de la prueba de alergia"'
WAITING = 'salon --as sofia appt waitlist add 42 --service corte-dama --note "solo por la tarde"'
CARD_18 = "salon --as sofia client card 18 --customer cus_Q2n5Zb8kLm --payment-method pm_1PqR7sT"
NORTE = ('salon --as lucia --pin 1234 location add --code norte --name "Salón Norte" --timezone America/Monterrey '
         '--currency MXN')
PRINTER = "salon --as marco --pin 2222 policy set --receipt-printer file:recibos.prn"
AGAIN = "salon --as sofia client add --first Grace --last Davis --birthday 1970-06-22"  # client 12, added twice

# The state an example continues from, made by the commands a salon would have run before it.
GIVEN: dict[str, list[str | Callable[[Any], None]]] = {
    "salon --as marco --pin 2222 appt reinstate 789 --reason \"llegó, no la registramos\" --checked-in":
        ["salon --as sofia appt no-show 789"],
    "salon appt waitlist offers 795": [WAITING, 'salon --as sofia appt cancel 795 --reason "se enfermó"'],
    "salon --as sofia appt waitlist remove 1 --reason \"ya no puede venir\"": [WAITING],
    "salon --as sofia checkout 821 --promo HAPPY10 --pay cash": [PROMO_HAPPY10],
    'salon --as sofia close-day --date 2026-11-12 --count "500x4,200x6,100x3,50x2" --note "tip jar counted in"': [
        'salon --as marco --pin 2222 reopen-day --date 2026-11-12 --reason "card refund missed"'],
    "salon --as lucia --pin 1234 promo end HAPPY10": [PROMO_HAPPY10],
    "salon --as lucia --pin 1234 promo set HAPPY10 --to 2026-12-31 --limit 200": [PROMO_HAPPY10],
    "salon promo show HAPPY10": [PROMO_HAPPY10],
    "salon --as lucia --pin 1234 promo set BDAY --birthday-days 10": [PROMO_BDAY],
    "salon --as sofia client follow-up-done 1": [FOLLOW_UP],
    "salon --as sofia client follow-up-done 1 --cancel": [FOLLOW_UP],
    "salon --as marco --pin 2222 client merge 12 101": [AGAIN],
    "salon client duplicates --min-score 85 -f csv": [AGAIN],
    "salon client comms 12 -f json": [
        'salon --as sofia client log-comm 12 --channel phone --purpose follow_up --message "Confirmó su cita"'],
    "salon client follow-ups --due": [
        'salon --as sofia client follow-up 87 --on 2026-11-21 --note "Llamar para confirmar su cita de color"'],
    "salon client follow-ups --client 42 --all -f json": [FOLLOW_UP],
    "salon appt waitlist": [WAITING],
    "salon appt waitlist list --status all -f json": [WAITING],
    "salon jobs --job detect-no-shows -f json": ["salon detect-no-shows"],
    "salon promo list --all -f json": [PROMO_HAPPY10, PROMO_BDAY],
    "salon --as lucia report promotions --from 2026-11-01 --to 2026-11-30 -f json": [
        PROMO_HAPPY10, "salon --as sofia checkout 821 --promo HAPPY10 --pay cash"],
    "salon loyalty referrals --status pending -f csv": ["salon --as sofia loyalty refer 12 --referred 77"],
    "salon stripe events --status failed -f json": [_event_failed],
    'salon --as ana --pin 4444 client note-edit 42 87 "Alergia al tinte con amoníaco y al PPD"': [NOTE_BY_ANA],
    'salon --as ana client photo caption 42 1 "balayage, 3 semanas después"': [PHOTO],
    "salon --as ana client photo delete 42 1": [PHOTO],
    "salon client photo list 42": [PHOTO],
    "salon --as marco --pin 2222 expense void 27 --reason \"entered twice\"": [
        'salon --as sofia expense add --amount 245.50 --category supplies --description "Gloves and foil" '
        '--paid-from cash'],
    "salon --as sofia membership resume 42": ['salon --as sofia membership pause 42 --reason "de viaje un mes"'],
    "salon --as sofia loyalty refer --code K7QM3XPD --referred 77 --expires-in-days 30": [
        _sql("UPDATE loyalty_account SET referral_code = 'K7QM3XPD' WHERE client_id = 12")],
    "salon --as sofia loyalty void K7QM-3XPD --reason \"client changed her mind\"": [
        _sql("UPDATE redemption SET code = 'K7QM-3XPD' WHERE id = 1")],
    "salon --as sofia penalty charge 7": [CARD_18],
    "* * * * *  salon stripe sync >> /var/log/salon/stripe-sync.log 2>&1": [_client_pays_penalty_7],
    "salon stripe ingest deliveries.ndjson --tolerance 86400 -f json": [_saved_deliveries],
    "salon stripe retry evt_1QxYz2AbCdEf": [_event_failed],
    "salon --as sofia sale receipt 31 --print --email": [PRINTER],
    "salon --as marco --pin 2222 template reset reminder --language es": [
        'salon --as marco --pin 2222 template set reminder --language es --body "Hola {client_first_name}, '
        'te esperamos el {starts_at_local}."'],
    "salon --as lucia --pin 1234 --location norte location set --phone +528112345678 --stripe-reader tmr_FZx8d2": [
        NORTE],
    "salon --as sofia import sales tickets-octubre.csv --mapping tickets.toml": [
        'salon --as sofia import sales tickets-septiembre.csv --map "Ticket=receipt" --map "Fecha=date" '
        '--map "Concepto=description" --map "Importe=amount" --map "IVA=tax:IVA" --amount-before-tax --dry-run '
        '--save-mapping tickets.toml'],
}
