"""A real salon's export, made up: the files a salon in Auckland brings when it leaves its old system.

Run: python tests/transfer/moving_in/generate.py [--out DIR]   (default: this folder; the same bytes
every time). tests/transfer/test_moving_in_real_export.py imports the committed files as they are and
checks that this script still makes them.

The salon: Ponsonby Hair (Pacific/Auckland, NZD, GST 15 % included in its prices), four stylists
(Aroha, Jess, Tama, Nikki) and Mere, the manager, who rings up retail, returns and adjustments. "Now"
is the tests' clock, Sunday 2026-11-22 06:00 in Auckland. The old system's exports, in its shapes:

  - services.csv: Item Code, Description, Category, Price. No durations at all; codes with spaces,
    dots, `+` and `&` (`CUT+2`, `COL 2`, `A&B`, `FOILS.H`, `BRIDE.1`); TONER has no description.
  - products.csv: Item Code, Description, Brand, Retail Price, On Hand (`SH UR 300`, `OIL9.5ML`, `WAX.75`).
  - sales-jul-sep.csv and sales-oct-nov.csv: Receipt No, Date (DD/MM/YYYY), Time, Client Code, Staff,
    Item Code, Description, Qty, Amount, GST, Payment Type -- one row a receipt line, four months
    (2026-07-22 .. 2026-11-21). The July-September report's Amount includes GST and its GST has four
    decimals (11.0870); the October-November report's Amount is before GST, which it prints with as
    many decimals as it takes (12.75, 1.875, 3.1875). Neither header says which. Clients only as codes.
    Negative lines by another staff member than the receipt's stylist: Mere's "Misc" -50.00 (or -46.00)
    and returned products (Qty -1), some on a receipt of their own. Mother and daughter on one receipt.
  - bookings.csv: Date, Time (9:00 am), Client Code, Service, Staff -- every booking from 2026-07-22
    to three weeks ahead, without a status column and without ids. Service by the old code; a
    combined visit as `COL 2+TREAT` (no service has that code: its parts have), while `CUT+2` is one
    service. Clients only as codes (new clients ahead too).
  - no-shows.csv: Date, Client Code, Service, Staff -- no times; every row but two matches a
    booking of that client on that day.
  - cancellations.csv: Appt Date, Client Code, Service, Staff, Cancelled On, Cancelled By -- no
    times; past and future bookings, and one that is not in the bookings file.
  - clients.csv: Client Code, First Name, Last Name, Mobile, Email -- arriving last, naming the
    clients the other files gave only by code, and some who never came.

So that every figure the test checks has one right answer, whatever way the importer spreads a sale's
rounded tax over its lines: in the GST-inclusive report, on every sale (a receipt's lines of one
client) at most one staff member has lines whose GST is not whole cents, and on every receipt at most
one client's lines add up to GST that is not whole cents. Money taken off (an adjustment, a product
brought back during a visit) never comes to more than the visit; a product brought back alone is one
the client bought on an earlier receipt.
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).parent
FIRST_DAY, LAST_DAY = date(2026, 7, 22), date(2026, 11, 21)  # the history: four months
SPLIT_DAY = date(2026, 10, 1)  # the October-November report starts here
AHEAD_TO = date(2026, 12, 12)  # bookings ahead, from Tuesday 2026-11-24
OPEN_DAYS = {1, 2, 3, 4, 5}  # Tuesday to Saturday
SLOTS = ((9, 0), (10, 45), (12, 30), (14, 15), (16, 0))  # 45-minute services, a combined visit 90
STYLISTS = ("Aroha", "Jess", "Tama", "Nikki")
MANAGER = "Mere"
GST = Decimal("0.15")
REGULARS, NEWCOMERS, NEVER_CAME, FAMILIES = 262, 12, 30, 8  # clients, in this order in clients.csv

# (code, description, category, price including GST)
SERVICES = (
    ("CUT+2", "Cut & Blow Dry", "Cuts", "92.00"), ("CUT", "Restyle Cut", "Cuts", "85.00"),
    ("KIDS", "Kids Cut", "Cuts", "34.50"), ("FRINGE", "Fringe Trim", "Cuts", "24.44"),
    ("BLOW", "Blow Wave", "Styling", "46.00"), ("BRIDE.1", "Bridal Trial", "Styling", "120.00"),
    ("COL 2", "Colour Regrowth", "Colour", "138.00"), ("A&B", "Ash & Blonde Foils", "Colour", "215.00"),
    ("FOILS.H", "Half Head Foils", "Colour", "165.00"), ("TONER", "", "Colour", "32.00"),
    ("TREAT", "Olaplex Treatment", "Treatments", "69.00"),
)
SERVICE_WEIGHTS = (30, 14, 6, 5, 8, 2, 12, 5, 6, 4, 8)
COMBINED = ("COL 2+TREAT", "CUT+TONER", "A&B+TREAT")  # no service has these codes: their parts do
# (code, description, brand, price including GST, on hand)
PRODUCTS = (
    ("SH UR 300", "Urban Shampoo 300ml", "Urban", "32.00", 24),
    ("CO UR 300", "Urban Conditioner 300ml", "Urban", "34.50", 18),
    ("OIL9.5ML", "Argan Oil 9.5ml", "Luxe", "18.40", 40), ("WAX.75", "Matte Wax 75g", "Luxe", "28.75", 12),
    ("SPRAY 250", "Texture Spray 250ml", "Urban", "36.00", 15),
)
PAYMENTS = (("Visa", 35), ("Mastercard", 22), ("Cash", 25), ("Debit Card", 18))

FIRST_NAMES = """Aria Olivia Charlotte Isla Amelia Mia Ruby Harper Ella Sophie Grace Lily Manaia Anahera Kaia Maia
Hana Tui Moana Ngaio Jack Noah Leo Oliver George Nikau Ari Wiremu Rawiri Mateo Priya Anika Mei Yuki
Sione Losa Emma Zoe Chloe Lucy""".split()
LAST_NAMES = """Smith Wilson Williams Brown Taylor Jones Ngata Parata Walker Harris Thompson Tipene Clarke Robinson
Singh Patel Chen Wang Kim Nguyen Tuilagi Fifita Martin White Anderson King Wright Scott Hohaia Reid
Campbell Stewart Moore Young Edwards Hall Morgan Cooper Tamihana Kereama""".split()


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def money(value: int) -> str:
    return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"


def before_gst(price_cents: int) -> int:
    """What the October-November report prints as the amount before GST of a price including it."""
    return int((Decimal(price_cents) / Decimal("1.15")).quantize(Decimal(1), ROUND_HALF_UP))


def gst_of(amount_cents: int, includes: bool) -> Decimal:
    """The GST column of a line: the GST in the amount to four decimals (July-September), or the GST on
    top of it, exactly (October-November: at most four decimals)."""
    amount = Decimal(amount_cents) / 100
    if includes:
        return (amount * GST / (1 + GST)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return amount * GST


def gst_text(value: Decimal, includes: bool) -> str:
    if includes:
        return f"{value:.4f}"
    text = f"{value:.4f}".rstrip("0")
    return text + "0" * (2 - len(text.split(".")[1]))  # 12.75, 1.875, 3.1875, 7.50


def whole_cents(value: Decimal) -> bool:
    return value == value.quantize(Decimal("0.01"))


@dataclass
class Client:
    code: str
    first: str
    last: str
    mobile: str = ""
    email: str = ""


@dataclass
class Line:
    client: str  # a code, or "" for a walk-in
    staff: str
    item: tuple[str, str, str]  # (code, description, price including GST)
    qty: int


@dataclass
class Receipt:
    day: date
    minutes: int  # of the day, when it was rung up
    lines: list[Line] = field(default_factory=list)
    payment: str = "Cash"


@dataclass
class Booking:
    day: date
    minutes: int
    client: str
    service: str  # the code (or two joined by +) as the bookings report shows it
    staff: str
    outcome: str = "came"  # came | no_show | cancelled | ahead


class Salon:
    def __init__(self, seed: int = 29) -> None:
        self.rng = random.Random(seed)
        self.clients: list[Client] = []
        self.receipts: list[Receipt] = []
        self.bookings: list[Booking] = []
        self.no_shows: list[tuple[date, str, str, str]] = []  # unmatched rows only; matched ones come from bookings
        self.cancellations: list[tuple[date, str, str, str, date, str]] = []  # unmatched rows only
        self.families: list[tuple[str, str]] = []
        self.bought: list[tuple[str, tuple[str, str, str]]] = []  # (client, product) of the receipts so far

    # -------------------------------------------------------------------------------- clients
    def make_clients(self) -> None:
        count, families, taken = REGULARS + NEWCOMERS + NEVER_CAME + 2 * FAMILIES, FAMILIES, set()
        for n in range(count):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            if n >= count - 2 * families and n % 2:  # a daughter, after her mother
                last = self.clients[-1].last
            stem, k = (last[:3] + first[0]).upper(), 1
            while f"{stem}{k:02d}" in taken:
                k += 1
            code = f"{stem}{k:02d}"
            taken.add(code)
            mobile = f"+64 2{self.rng.choice('0127')} {self.rng.randrange(100, 999)} {self.rng.randrange(1000, 9999)}"
            email = f"{first.lower()}.{last.lower()}{n}@example.co.nz" if self.rng.random() < 0.7 else ""
            self.clients.append(Client(code, first, last, mobile, email))
            if n >= count - 2 * families and n % 2:
                self.families.append((self.clients[-2].code, code))

    def regular(self, busy: set[str]) -> str:
        """A client not booked that day, regulars more often: one of the first ones (after them in
        the list: the newcomers, first booked ahead; those who never came; the families, who come
        only together)."""
        regulars = self.clients[:REGULARS]
        while True:
            client = regulars[int(len(regulars) * self.rng.random() ** 1.6)].code
            if client not in busy:
                return client

    # -------------------------------------------------------------------------------- the book
    def make_book(self) -> None:
        day, newcomers = FIRST_DAY, iter(c.code for c in self.clients[REGULARS:REGULARS + NEWCOMERS])
        while day <= AHEAD_TO:
            if day.weekday() in OPEN_DAYS:
                self.book_day(day, newcomers)
            day += timedelta(days=1)

    def book_day(self, day: date, newcomers) -> None:  # noqa: ANN001
        ahead = day > LAST_DAY
        fill = 0.78 if not ahead else max(0.12, 0.7 - 0.04 * (day - LAST_DAY).days)
        busy: set[str] = set()
        family = self.rng.random() < 0.2 and not ahead
        for hour, minute in SLOTS:
            free = [s for s in STYLISTS if self.rng.random() < fill]
            if family and len(free) >= 2:  # mother and daughter, side by side, one receipt
                mother, daughter = self.rng.choice(self.families)
                if mother not in busy:
                    busy.update((mother, daughter))
                    for client, staff in ((mother, free[0]), (daughter, free[1])):
                        code = self.rng.choice(("CUT+2", "BLOW", "TREAT", "COL 2")) if client == daughter else \
                            self.service_code()
                        self.bookings.append(Booking(day, hour * 60 + minute, client, code, staff))
                    self.bookings[-1].outcome = self.bookings[-2].outcome = "family"
                    free = free[2:]
                    family = False
            for staff in free:
                client = self.regular(busy)
                if ahead and self.rng.random() < 0.15:
                    client = next(newcomers, client)
                busy.add(client)
                booking = Booking(day, hour * 60 + minute, client, self.service_code(), staff)
                outcomes = ("came", "no_show", "cancelled")
                booking.outcome = "ahead" if ahead else self.rng.choices(outcomes, (92, 4, 4))[0]
                self.bookings.append(booking)

    def service_code(self) -> str:
        if self.rng.random() < 0.1:
            return self.rng.choice(COMBINED)
        return self.rng.choices([s[0] for s in SERVICES], SERVICE_WEIGHTS)[0]

    # -------------------------------------------------------------------------------- the till
    def make_receipts(self) -> None:
        for day in sorted({b.day for b in self.bookings if b.day <= LAST_DAY}):
            todays = [b for b in self.bookings if b.day == day]
            families = [b for b in todays if b.outcome == "family"]
            for b in sorted(todays, key=lambda b: (b.minutes, STYLISTS.index(b.staff))):
                if b.outcome == "came":
                    self.receipts.append(self.visit_receipt([b]))
            if families:
                self.receipts.append(self.visit_receipt(families))
            if self.rng.random() < 0.6:  # retail at the desk, no client
                lines = [Line("", MANAGER, self.product(), self.rng.choice((1, 1, 2)))
                         for _ in range(self.rng.choice((1, 1, 2)))]
                self.receipts.append(Receipt(day, 17 * 60 + self.rng.randrange(50), lines, self.payment()))
            came = {b.client for b in todays}
            bought = [(c, item) for c, item in self.bought if c not in came]
            if bought and self.rng.random() < 0.06:  # a product bought earlier, brought back on a receipt of its own
                client, item = self.rng.choice(bought)
                self.receipts.append(Receipt(day, 13 * 60 + self.rng.randrange(60),
                                             [Line(client, self.rng.choice((MANAGER, "Jess")), item, -1)], "Cash"))
            self.bought += [(line.client, line.item) for r in self.receipts if r.day == day for line in r.lines
                            if line.client and line.qty > 0 and line.item[0] in _PRODUCTS]
        self.receipts.sort(key=lambda r: (r.day, r.minutes))

    def visit_receipt(self, visits: list[Booking]) -> Receipt:
        first = visits[0]
        done = first.minutes + max(45 * len(b.service.split("+")) if b.service not in _CODES else 45 for b in visits)
        includes = first.day < SPLIT_DAY
        for _ in range(50):  # until every figure has one right answer (the module docstring)
            lines: list[Line] = []
            for b in visits:
                parts = [b.service] if b.service in _CODES else b.service.split("+")
                lines += [Line(b.client, b.staff, _item(_SERVICES[p]), 1) for p in parts]
            payer = first
            if self.rng.random() < 0.3:
                seller = self.rng.choice((payer.staff, payer.staff, MANAGER))
                lines.append(Line(payer.client, seller, self.product(), self.rng.choice((1, 1, 1, 2))))
            if self.rng.random() < 0.05:  # Mere's adjustment: "misc -50"
                amount = "-50.00" if not includes or self.rng.random() < 0.5 else "-46.00"
                lines.append(Line(payer.client, MANAGER, ("MISC", "Misc", amount), 1))
            if self.rng.random() < 0.03:  # a product brought back during the visit, by another stylist
                other = self.rng.choice([s for s in (*STYLISTS, MANAGER) if s != payer.staff])
                lines.append(Line(payer.client, other, _item(self.rng.choice(PRODUCTS)), -1))
            if one_answer(lines, includes) and all(  # money off never comes to more than the visit
                    sum(line_amount(x, includes) for x in lines if x.client == b.client) > 0 for b in visits):
                break
        else:
            raise RuntimeError(f"no receipt with one answer for {first}")
        return Receipt(first.day, done + self.rng.randrange(5, 15), lines, self.payment())

    def product(self) -> tuple[str, str, str]:
        return _item(self.rng.choices(PRODUCTS, (30, 20, 25, 15, 10))[0])

    def payment(self) -> str:
        return self.rng.choices([p for p, _ in PAYMENTS], [w for _, w in PAYMENTS])[0]

    # -------------------------------------------------------------------------------- the reports
    def make_reports(self) -> None:
        # two no-shows whose bookings the bookings report lost, and one cancellation
        for n, day in enumerate((date(2026, 8, 14), date(2026, 10, 23), date(2026, 9, 18))):
            client = self.regular({b.client for b in self.bookings if b.day == day})
            if n < 2:
                self.no_shows.append((day, client, "CUT", STYLISTS[n]))
            else:
                self.cancellations.append((day, client, "COL 2", "Tama", day - timedelta(days=2), "Client"))


def _item(entry: tuple) -> tuple[str, str, str]:  # type: ignore[type-arg]
    """(code, what the receipt says, price): an item without a name is printed by its code."""
    return entry[0], entry[1] or entry[0], entry[3]


_SERVICES = {s[0]: s for s in SERVICES}
_PRODUCTS = {p[0] for p in PRODUCTS}
_CODES = set(_SERVICES)


def line_amount(line: Line, includes: bool) -> int:
    price = cents(line.item[2])
    if line.item[0] == "MISC":  # an adjustment is what the report says, before or after GST alike
        return price
    return line.qty * (price if includes else before_gst(price))


def one_answer(lines: list[Line], includes: bool) -> bool:
    """At most one client per receipt with GST that is not whole cents; in the GST-inclusive report,
    at most one staff member per sale with lines whose GST is not whole cents."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.client] = sums.get(line.client, Decimal(0)) + gst_of(line_amount(line, includes), includes)
    if sum(not whole_cents(v) for v in sums.values()) > 1:
        return False
    if not includes:
        return True
    for client in sums:
        ragged = {line.staff for line in lines if line.client == client
                  and not whole_cents(gst_of(line_amount(line, includes), includes))}
        if len(ragged) > 1:
            return False
    return True


def _clock(minutes: int, twelve: bool) -> str:
    hour, minute = divmod(minutes, 60)
    if not twelve:
        return f"{hour:02d}:{minute:02d}"
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'am' if hour < 12 else 'pm'}"


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write(folder: Path, seed: int = 29) -> None:
    salon = Salon(seed)
    salon.make_clients()
    salon.make_book()
    salon.make_receipts()
    salon.make_reports()
    _write(folder / "services.csv", ["Item Code", "Description", "Category", "Price"],
           [[code, name, category, price] for code, name, category, price in SERVICES])
    _write(folder / "products.csv", ["Item Code", "Description", "Brand", "Retail Price", "On Hand"],
           [[code, name, brand, price, str(stock)] for code, name, brand, price, stock in PRODUCTS])
    header = ["Receipt No", "Date", "Time", "Client Code", "Staff", "Item Code", "Description", "Qty", "Amount", "GST",
              "Payment Type"]
    for name, first, last in (("sales-jul-sep.csv", FIRST_DAY, SPLIT_DAY - timedelta(days=1)),
                              ("sales-oct-nov.csv", SPLIT_DAY, LAST_DAY)):
        rows = []
        for number, r in enumerate(salon.receipts, 40211):
            if not first <= r.day <= last:
                continue
            includes = r.day < SPLIT_DAY
            for line in r.lines:
                amount = line_amount(line, includes)
                rows.append([str(number), _day(r.day), _clock(r.minutes, False), line.client, line.staff, line.item[0],
                             line.item[1], str(line.qty), money(amount), gst_text(gst_of(amount, includes), includes),
                             r.payment])
        _write(folder / name, header, rows)
    _write(folder / "bookings.csv", ["Date", "Time", "Client Code", "Service", "Staff"],
           [[_day(b.day), _clock(b.minutes, True), b.client, b.service, b.staff] for b in salon.bookings])
    no_shows = [(b.day, b.client, b.service, b.staff) for b in salon.bookings if b.outcome == "no_show"]
    _write(folder / "no-shows.csv", ["Date", "Client Code", "Service", "Staff"],
           [[_day(d), c, s, st] for d, c, s, st in sorted(no_shows + salon.no_shows)])
    cancelled = [b for b in salon.bookings if b.outcome == "cancelled"]
    cancelled += [b for b in salon.bookings if b.outcome == "ahead"][3::9]  # some of those ahead too
    for b in cancelled:
        b.outcome = "cancelled"
    rows = [(b.day, b.client, b.service, b.staff, min(b.day, LAST_DAY) - timedelta(days=salon.rng.randrange(1, 4)),
             salon.rng.choice(("Client", "Mere", "Jess", "Online"))) for b in cancelled]
    _write(folder / "cancellations.csv", ["Appt Date", "Client Code", "Service", "Staff", "Cancelled On", "Cancelled By"],
           [[_day(d), c, s, st, _day(on), by] for d, c, s, st, on, by in sorted(rows + salon.cancellations)])
    _write(folder / "clients.csv", ["Client Code", "First Name", "Last Name", "Mobile", "Email"],
           [[c.code, c.first, c.last, c.mobile, c.email] for c in salon.clients])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    write(args.out, args.seed)
