"""How well and how fast `client search` finds a client whose name was typed with one slip.

Run: .venv/bin/python benchmarks/client_search.py [--clients 100000] [--queries 2000] [--db URL]
     [--keep FILE] [--reuse] [--cold]

The book: `--clients` generated clients (default 100,000) on a fresh SQLite file, or on the empty
PostgreSQL database named by `--db` (vacuumed after loading, as autovacuum soon would be). Names
are drawn with realistic, skewed frequencies: two in three Spanish (a Mexican salon), half of those
with both surnames, the rest English; within each list a name's weight is 1/rank (Zipf), so María,
Hernández and Smith are everywhere while some names belong to a handful of clients.

The queries: a client drawn at random (so common names are asked for more often, as at a real
desk), its full name typed with one slip in one word -- a letter dropped, two letters swapped, a
letter doubled, or a spelling swapped for one that sounds the same (v/b, z/s, c/k, ll/y, j/g, ...).

A hit: with those frequencies many clients share a full name, and no search can tell one
"María Hernández" from another by name alone (the receptionist then looks at the phone). So a
query counts as found at k when the intended client -- or a client with exactly the same name
(accents and case aside) -- is among the first k results. recall@1 and recall@5 are the shares of
queries found at 1 and at 5. Times are of one `search()` call (limit 10) through the service, on
a warm connection: the median and the 95th percentile. `--cold` clears the in-process caches of
names and codes before every query (a fresh process; the dashboard keeps them warm).

Target (issue 3): recall@5 >= 0.98 and p95 under 25 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

SPANISH_WOMEN = (
    "María", "Guadalupe", "María Guadalupe", "Juana", "Verónica", "Rosa", "Leticia", "Alejandra",
    "Gabriela", "Patricia", "Adriana", "María José", "Daniela", "Fernanda", "María Fernanda",
    "Sofía", "Valentina", "Ximena", "Jimena", "Camila", "Andrea", "Martha", "Yolanda", "Silvia",
    "Claudia", "Ana", "Laura", "Mariana", "Lucía", "Regina", "Paola", "Itzel", "Natalia", "Karla",
    "Diana", "Carmen", "Teresa", "Cecilia", "Araceli", "Mónica", "Norma", "Sandra", "Elena",
    "Isabel", "Beatriz", "Brenda", "Erika", "Lorena", "Rocío", "Gloria", "Sara", "Mayra",
    "Yesenia", "Estefanía", "Cristina", "Jazmín", "Renata", "Victoria", "Montserrat", "Abril",
    "Esperanza", "Alicia", "Irma", "Susana", "Raquel", "Graciela", "Angélica", "Josefina", "Dulce",
    "Marta", "Maura", "Lourdes", "Marisol", "Nayeli", "Xóchitl", "Citlali", "Yaretzi", "Belén",
)
SPANISH_MEN = (
    "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel Ángel", "Francisco", "Alejandro", "Juan Pablo",
    "Antonio", "Jesús", "Manuel", "Pedro", "Ricardo", "Fernando", "Roberto", "Javier", "Eduardo",
    "Sergio", "Daniel", "Rafael", "Martín", "Raúl", "Arturo", "Héctor", "Óscar", "Enrique",
    "Guillermo", "Mario", "Alberto", "Gerardo", "Víctor", "Rubén", "David", "Santiago", "Mateo",
    "Sebastián", "Diego", "Emiliano", "Leonardo", "Iñaki", "Gustavo", "Ángel", "Andrés", "Hugo",
    "Ramón", "Salvador", "Gabriel", "Joaquín", "Ignacio", "Rodrigo", "Julio", "Xavier", "Iván",
    "Adrián", "Emilio", "Esteban", "Tomás", "Ernesto", "Felipe", "Cristian", "Gonzalo", "Octavio",
)
SPANISH_SURNAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres",
    "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero",
    "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina",
    "Castro", "Vargas", "Guzmán", "Velázquez", "Muñoz", "Rojas", "Contreras", "Salazar", "Luna",
    "Ortega", "Guerrero", "Estrada", "Bautista", "Cortés", "Soto", "Alvarado", "Espinoza", "Lara",
    "Ávila", "Ríos", "Cervantes", "Silva", "Delgado", "Vega", "Márquez", "Sandoval", "Fernández",
    "León", "Carrillo", "Mejía", "Solís", "Núñez", "Rosas", "Ibarra", "Valdez", "Campos",
    "Santiago", "Vásquez", "Navarro", "Peña", "Maldonado", "Rosales", "Acosta", "Miranda", "Trejo",
    "Cabrera", "Valencia", "Nava", "Robles", "Molina", "Salinas", "Fuentes", "Rangel", "Padilla",
    "Escobar", "Cárdenas", "Orozco", "Ayala", "Montes", "Quintero", "Yáñez", "Giménez", "Zúñiga",
    "Villalobos", "Ochoa", "Benítez", "Bravo", "Quiroz", "Llanos", "Gallegos", "Zamora", "Ponce",
    "Cisneros", "Serrano", "Galván", "Velasco", "Pacheco", "Figueroa", "Osorio", "Esquivel",
    "Hidalgo", "Cano", "Arellano", "Barrera", "Duarte", "Olvera", "Villanueva", "Xicoténcatl",
)
ENGLISH_WOMEN = (
    "Emily", "Olivia", "Sarah", "Jessica", "Hannah", "Grace", "Chloe", "Megan", "Lauren", "Kate",
    "Catherine", "Katherine", "Elizabeth", "Jennifer", "Ashley", "Amanda", "Stephanie", "Nicole",
    "Rachel", "Rebecca", "Emma", "Sophia", "Madison", "Abigail", "Samantha", "Alexis", "Brittany",
    "Amber", "Danielle", "Melissa", "Michelle", "Kimberly", "Heather", "Christina", "Amy", "Anna",
    "Victoria", "Natalie", "Allison", "Kathryn",
)
ENGLISH_MEN = (
    "James", "Michael", "David", "Daniel", "Ryan", "Matthew", "Christopher", "Andrew", "Thomas",
    "Benjamin", "John", "Robert", "William", "Joseph", "Joshua", "Steven", "Stephen", "Brian",
    "Kevin", "Jason", "Justin", "Brandon", "Tyler", "Nicholas", "Anthony", "Eric", "Jonathan",
    "Mark", "Paul", "Kyle", "Jacob", "Ethan", "Nathan", "Adam", "Patrick", "Sean", "Philip",
    "Phillip", "Timothy", "Richard",
)
ENGLISH_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Mitchell", "Campbell", "Roberts", "Carter", "Phillips", "Evans",
    "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Morgan", "Cooper", "Peterson", "O'Brien", "Kelly", "Sullivan", "Bennett", "Wood", "Gray",
    "Hughes", "Price", "Watson", "Brooks", "Simpson", "Stephens", "Philips", "Thomson",
)

# One spelling for another that sounds the same, as a receptionist hears it.
SOUND_SWAPS = (
    ("v", "b"), ("b", "v"), ("z", "s"), ("s", "z"), ("ce", "se"), ("ci", "si"), ("ca", "ka"),
    ("co", "ko"), ("qu", "k"), ("ll", "y"), ("y", "ll"), ("j", "g"), ("ge", "je"), ("gi", "ji"),
    ("x", "j"), ("h", ""), ("ph", "f"), ("th", "t"), ("ñ", "ni"), ("gui", "gi"), ("ck", "k"),
)


def zipf(names: tuple[str, ...]) -> list[float]:
    return [1 / rank for rank in range(1, len(names) + 1)]


class Population:
    """Draws names with the frequencies described in the module docstring."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lists = {name: (values, zipf(values)) for name, values in (
            ("es_f", SPANISH_WOMEN), ("es_m", SPANISH_MEN), ("es_s", SPANISH_SURNAMES),
            ("en_f", ENGLISH_WOMEN), ("en_m", ENGLISH_MEN), ("en_s", ENGLISH_SURNAMES))}

    def pick(self, which: str) -> str:
        values, weights = self.lists[which]
        return self.rng.choices(values, weights)[0]

    def name(self) -> tuple[str, str]:
        rng = self.rng
        sex = "f" if rng.random() < 0.65 else "m"  # a salon's clients: mostly women
        if rng.random() < 0.68:
            first, last = self.pick(f"es_{sex}"), self.pick("es_s")
            if rng.random() < 0.5:
                second = self.pick("es_s")
                last = f"{last} {second}" if second != last else last
            return first, last
        return self.pick(f"en_{sex}"), self.pick("en_s")


def slip(rng: random.Random, name: str) -> tuple[str, str]:
    """The name with one slip in one of its words, and the kind of slip (module docstring)."""
    words = name.split(" ")
    i = rng.randrange(len(words))
    word = words[i]
    for _ in range(20):
        kind = rng.choice(("drop", "swap", "double", "sound"))
        changed = _slip_word(rng, word, kind)
        if changed and changed != word:
            words[i] = changed
            return " ".join(words), kind
    return name, "none"


def _slip_word(rng: random.Random, word: str, kind: str) -> str | None:
    if len(word) < 3 and kind != "double":
        return None
    p = rng.randrange(len(word))
    if kind == "drop":
        return word[:p] + word[p + 1:]
    if kind == "swap":
        p = min(p, len(word) - 2)
        return word[:p] + word[p + 1] + word[p] + word[p + 2:]
    if kind == "double":
        return word[:p + 1] + word[p] + word[p + 1:]
    low = word.lower()
    options = [(a, b) for a, b in SOUND_SWAPS if a in low]
    if not options:
        return None
    a, b = rng.choice(options)
    at = low.index(a)
    replaced = word[:at] + b + word[at + len(a):]
    return replaced[:1].upper() + replaced[1:] if at == 0 else replaced


def build(url: str, clients: int, seed: int) -> tuple[float, float]:
    """A book of `clients` generated clients; returns (insert seconds, reindex_all seconds)."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from salon_cli.core.text import name_key
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import Client
    from salon_cli.services.clients.search import reindex_all

    engine = make_engine(url)
    migrate.upgrade(engine)
    people = Population(random.Random(seed))
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    with Session(engine) as session:
        rows = []
        for n in range(clients):
            first, last = people.name()
            rows.append({"first_name": first, "last_name": last, "name_key": name_key(first, last),
                         "phone": f"+52155{n:08d}", "email": f"client{n}@example.com", "created_at": now})
        for i in range(0, len(rows), 5000):
            session.execute(sa.insert(Client), rows[i:i + 5000])
        session.commit()
        inserted = time.perf_counter() - start
        start = time.perf_counter()
        reindex_all(session)
        session.commit()
        indexed = time.perf_counter() - start
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; until then index-only scans visit the heap.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE client_search_key"))
            conn.execute(sa.text("VACUUM ANALYZE client"))
    engine.dispose()
    return inserted, indexed


def key_table(url: str) -> tuple[int, int, float | None]:
    """(clients, key rows, megabytes of the key table with its indexes, where the database says)."""
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        clients = conn.execute(sa.text("SELECT count(*) FROM client")).scalar_one()
        rows = conn.execute(sa.text("SELECT count(*) FROM client_search_key")).scalar_one()
        try:
            if engine.dialect.name == "postgresql":
                size = conn.execute(sa.text("SELECT pg_total_relation_size('client_search_key')")).scalar_one()
            else:
                size = conn.execute(sa.text(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN ('client_search_key', "
                    "'ix_client_search_key_client_id', 'sqlite_autoindex_client_search_key_1')")).scalar_one()
        except sa.exc.DBAPIError:  # SQLite built without the dbstat table
            size = None
    engine.dispose()
    return clients, rows, size / 1e6 if size else None


def run(url: str, queries: int, seed: int, *, cold: bool) -> dict:
    import sqlalchemy as sa
    from sqlmodel import Session

    from salon_cli.core import name_match, phonetics
    from salon_cli.core.text import fold
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import Client
    from salon_cli.services.clients.search import search

    rng = random.Random(seed + 1)
    engine = make_engine(url)
    with Session(engine) as session:
        ids = session.execute(sa.select(Client.id, Client.first_name, Client.last_name).order_by(Client.id)).all()
        asked = [ids[rng.randrange(len(ids))] for _ in range(queries)]
        search(session, "warm up")
        at1 = at5 = 0
        times, misses, by_kind = [], [], {}
        for cid, first, last in asked:
            query, kind = slip(rng, f"{first} {last}")
            if cold:  # forget every name and code seen so far, as a fresh process would
                phonetics.token_code.cache_clear()
                name_match._words_of.cache_clear()
            start = time.perf_counter()
            hits = search(session, query, limit=10)
            times.append((time.perf_counter() - start) * 1000)
            want = fold(f"{first} {last}")
            found = [h.id == cid or fold(f"{h.first_name} {h.last_name}") == want for h in hits]
            at1 += any(found[:1])
            at5 += any(found[:5])
            tally = by_kind.setdefault(kind, [0, 0])
            tally[0] += 1
            tally[1] += any(found[:5])
            if not any(found[:5]):
                misses.append((query, f"{first} {last}", [f"{h.first_name} {h.last_name} {h.score}" for h in hits[:5]]))
    engine.dispose()
    times.sort()
    return {"recall@1": at1 / queries, "recall@5": at5 / queries, "median_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * len(times)) - 1], "max_ms": times[-1], "misses": misses,
            "by_kind": by_kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", help="an EMPTY PostgreSQL database (default: a fresh SQLite file)")
    parser.add_argument("--keep", metavar="FILE", help="build the SQLite book in FILE and keep it")
    parser.add_argument("--reuse", action="store_true", help="query the book already in --keep or --db")
    parser.add_argument("--cold", action="store_true", help="clear the name caches before every query")
    parser.add_argument("--show-misses", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(args.keep) if args.keep else Path(tmp) / 'bench.db'}"
        where = url.split("@")[-1] if args.db else "SQLite file"
        if not args.reuse:
            print(f"building: {args.clients:,} clients on {where} ...", flush=True)
            inserted, indexed = build(url, args.clients, args.seed)
            print(f"insert clients: {inserted:.1f} s   reindex_all: {indexed:.1f} s")
        clients, keys, megabytes = key_table(url)
        size = f", {megabytes:.0f} MB with its indexes" if megabytes else ""
        print(f"database: {where}; clients: {clients:,}; key rows: {keys:,} ({keys / clients:.1f} per client{size})")
        print(f"queries: {args.queries:,}, one slip each{' (name caches cleared before each)' if args.cold else ''}",
              flush=True)
        result = run(url, args.queries, args.seed, cold=args.cold)
    print("found = the intended client, or one with exactly its name, among the first k results")
    print(f"recall@1: {result['recall@1']:.3f}   recall@5: {result['recall@5']:.3f}   "
          f"(target recall@5 >= 0.98)")
    print("recall@5 by slip: " + "   ".join(
        f"{kind} {found / asked:.3f} ({asked})" for kind, (asked, found) in sorted(result["by_kind"].items())))
    print(f"one query: median {result['median_ms']:.1f} ms   p95 {result['p95_ms']:.1f} ms   "
          f"max {result['max_ms']:.1f} ms   (target p95 < 25 ms)")
    for query, wanted, top in result["misses"][: args.show_misses]:
        print(f"  missed: {query!r} for {wanted!r}; top 5: {top}")


if __name__ == "__main__":
    main()
