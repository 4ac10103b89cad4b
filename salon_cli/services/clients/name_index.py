"""The index of clients' names (`client_search_key`): which keys a name is stored under, and how
a typed name finds its candidates through them without scanning clients in Python.

Keys of a live client, for each word of the name (accents and case folded):
- 'tok'  the word itself: 'jimenez' (for words typed exactly, and for a half-typed word's prefix);
- 'ph'   its sound code (core/phonetics.py): 'JIMENES', shared by Jiménez, Giménez, Jimenes ...;
- 'pair' the codes of two words together, alphabetical: 'ERNANDES MARIA'. A name of w words has
  2w + w(w-1)/2 keys (7 for three words). Pairs are what make a full name cheap to find: 'María'
  and 'Hernández' each have thousands of clients, the pair of them far fewer.
Codes are upper case and words lower case, so both live in one key space without clashing.

A typed name is looked up in three steps, each one SQL statement of primary-key probes or slices:
1. each typed word's sound code, the word itself, and every code one slip away (generated in
   Python, a few hundred per word) are probed; the index says which exist and roughly how many
   clients carry each. A half-typed last word also takes the words and codes it starts.
2. the same for pairs of typed words, built from the codes found in step 1.
3. candidates are read from the least crowded lookup (usually a pair), a bounded slice per key,
   keeping only clients that also carry a key of every other typed word.
Scoring the few hundred candidates is core/name_match.py's job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.core.name_match import TypedWord, rank, typed_words
from salon_cli.core.phonetics import codes_one_slip_away, name_tokens, token_code

WORD = "tok"
SOUND = "ph"
PAIR = "pair"
KEY_LENGTH = 40
MAX_WORDS = 5  # of a name, indexed or typed
POPULAR = 1000  # counting a key's clients stops here: enough to tell a common name from a rare one
SCAN = 1500  # index rows read per driving key, at most
PER_KEY = 25  # candidates kept per driving key, when it cannot be read in full
MAX_DRIVES = 24  # driving keys per search, at most
MAX_CANDIDATES = 3000  # clients scored per search, at most (a bound on the worst case)
PREFIX_WORDS = 12  # distinct words (and codes) that complete a half-typed last word
COMPLETION_COUNT = 300  # their clients are counted up to this


def keys_for(first_name: str, last_name: str) -> set[tuple[str, str]]:
    """(kind, key) pairs a client's name is stored under (see the module docstring)."""
    words = name_tokens(f"{first_name} {last_name}")[:MAX_WORDS]
    codes = sorted({token_code(word)[:KEY_LENGTH] for word in words})
    keys = {(WORD, word[:KEY_LENGTH]) for word in words} | {(SOUND, code) for code in codes}
    keys |= {(PAIR, _pair_key(a, b)) for i, a in enumerate(codes) for b in codes[i + 1:]}
    return keys


def find(session: Session, text: str, *, limit: int, typing: bool) -> list[tuple[int, float]]:
    """(client id, score) of live clients whose name answers `text`, best first."""
    words = typed_words(text, typing=typing, most=MAX_WORDS)
    if not words:
        return []
    singles = _word_lookups(session, words)
    pairs = _pair_lookups(session, words, singles)
    people = _candidates(session, singles, pairs, limit)
    return rank(words, people, [_commonness(lookup) for lookup in singles])


@dataclass(eq=False)
class _Lookup:
    """Index keys standing for one typed word, or for two typed words at once (pair keys), with
    how many clients carry each (counted up to POPULAR)."""

    words: frozenset[int]  # positions of the typed words these keys stand for
    own: frozenset[str]  # the keys of the words exactly as typed
    keys: dict[str, int] = field(default_factory=dict)

    @property
    def reach(self) -> dict[str, int]:
        """The keys worth reading from. A word as typed ('hannah') is one only when it is rarer
        than its code (ANA): its clients are among the code's anyway."""
        keys = self.keys
        return {k: n for k, n in keys.items() if not (k.islower() and keys.get(token_code(k), 0) >= n)}

    @property
    def crowded(self) -> int:
        """Keys too common to read in full: a slice of them is a sample, not all."""
        return sum(n >= POPULAR for n in self.reach.values())

    @property
    def clients(self) -> int:
        return sum(self.reach.values())


def _commonness(lookup: _Lookup) -> dict[str, int]:
    """Clients per sound code among the lookup's keys (a typed-ahead word counts as its code)."""
    out: dict[str, int] = {}
    for key, n in lookup.keys.items():
        code = key if key.isupper() else token_code(key)
        out[code] = max(out.get(code, 0), n)
    return out


def _list_param(session: Session, name: str) -> str:
    """A JSON list bound as `:name`, read as a one-column table of `value`s."""
    if session.get_bind().dialect.name == "postgresql":
        return f"json_array_elements_text(CAST(:{name} AS json))"
    return f"json_each(:{name})"


def _count(key: str, most: int) -> str:
    """How many clients carry `key`, counting no further than `most` index entries."""
    return f"(SELECT count(*) FROM (SELECT 1 FROM client_search_key c WHERE c.key = {key} LIMIT {most}) AS n)"


def _existing(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Which of `keys` some client has, and how many (one statement of primary-key probes)."""
    rows = session.execute(sa.text(
        f"SELECT p.value, {_count('p.value', POPULAR)} FROM {_list_param(session, 'keys')} AS p "
        "WHERE EXISTS (SELECT 1 FROM client_search_key c WHERE c.key = p.value)"
    ), {"keys": json.dumps(sorted(set(keys)))})
    return dict(rows.all())


def _word_lookups(session: Session, words: list[TypedWord]) -> list[_Lookup]:
    """Each typed word's keys: the word itself, its code and every code one slip away that some
    client has; for a half-typed last word also the words and codes that start with it."""
    probes = [{w.text[:KEY_LENGTH], w.code[:KEY_LENGTH]} | (codes_one_slip_away(w.text) if len(w.text) > 1 else set())
              for w in words]
    found = _existing(session, set().union(*probes))
    lookups = [_Lookup(frozenset({i}), frozenset({w.text, w.code}), {k: found[k] for k in p if k in found})
               for i, (w, p) in enumerate(zip(words, probes))]
    last, lookup = words[-1], lookups[-1]
    if last.typing and (len(last.text) <= 4 or not lookup.own & lookup.keys.keys()):
        for kind, prefix in ((WORD, last.text), (SOUND, last.code)):
            if len(prefix) >= (1 if kind == WORD else 3):
                lookup.keys.update(_completions(session, kind, prefix))
    return lookups


def _pair_lookups(session: Session, words: list[TypedWord], singles: list[_Lookup]) -> list[_Lookup]:
    """Pair keys for every two typed words: far rarer than either word alone, so that the
    clients carrying both can be read in full even when each name is common."""
    codes = [{k if k.isupper() else token_code(k) for k in lookup.keys} for lookup in singles]
    lookups = []
    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            keys = {_pair_key(a, b) for a in codes[i] for b in codes[j] if a != b}
            if keys:
                own = frozenset({_pair_key(words[i].code, words[j].code)})
                lookups.append(_Lookup(frozenset({i, j}), own, {k: 0 for k in keys}))
    found = _existing(session, (k for lookup in lookups for k in lookup.keys))
    for lookup in lookups:
        lookup.keys = {k: found[k] for k in lookup.keys if k in found}
    return [lookup for lookup in lookups if lookup.keys]


def _pair_key(a: str, b: str) -> str:
    return " ".join(sorted((a, b)))[:KEY_LENGTH]


_COMPLETIONS = f"""
WITH RECURSIVE done(key, n) AS (
    SELECT (SELECT min(key) FROM client_search_key WHERE key >= :low AND key < :high AND kind = :kind), 1
    UNION ALL
    SELECT (SELECT min(key) FROM client_search_key WHERE key > done.key AND key < :high AND kind = :kind), n + 1
    FROM done WHERE done.key IS NOT NULL AND n < :most
)
SELECT key, {_count('done.key', COMPLETION_COUNT)} FROM done WHERE key IS NOT NULL
"""


def _completions(session: Session, kind: str, prefix: str) -> dict[str, int]:
    """Distinct keys that start with `prefix`, hopping through the index one distinct key at a
    time (a loose index scan), so that ten thousand 'hernandez' rows cost one step."""
    high = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = session.execute(sa.text(_COMPLETIONS), {"low": prefix, "high": high, "kind": kind, "most": PREFIX_WORDS})
    # counted only up to COMPLETION_COUNT (there may be a dozen): one that got there is crowded
    return {key: POPULAR if n >= COMPLETION_COUNT else n for key, n in rows}


Person = tuple[int, str, str]  # id, first name, last name


def _candidates(session: Session, singles: list[_Lookup], pairs: list[_Lookup], limit: int) -> list[Person]:
    """(id, first name, last name) of live clients worth scoring.

    Drive from the least crowded lookup, a pair of words if as good: for each of its keys read a
    bounded slice of the index, keeping clients that also match every other typed word. Each key
    brings its own sample, so 'Marta Hernández' still comes up when 'María Hernández' has
    thousands of rows. A key of the words exactly as typed is read in full unless crowded (it
    holds 'Ángel López' as well as the more common 'Miguel Ángel López'). When the driver is
    crowded, the other lookups' exact keys are read too, if they are not. If fewer than `limit`
    clients match every word, clients matching any one word fill in (they score lower).
    """
    known = [lookup for lookup in singles if lookup.keys]
    if not known:
        return []
    driver = min(known + pairs, key=lambda lookup: (lookup.crowded, -len(lookup.words), lookup.clients))
    drives = [(key, driver, _keep(driver, key)) for key in _driving_keys(driver)]
    if driver.crowded:  # a sample only: make sure of the words as typed, where that is cheap
        drives += [(key, lookup, n) for lookup in known + pairs if lookup is not driver
                   for key, n in lookup.reach.items() if key in lookup.own and n < POPULAR]
    people = _read_candidates(session, drives[:MAX_DRIVES], known)
    if len(people) < limit and len(known) > 1:
        more = _read_candidates(session, [(k, w, PER_KEY) for w in known for k in _driving_keys(w)[:4]], [])
        seen = {p[0] for p in people}
        people += [p for p in more if p[0] not in seen]
    return people


def _keep(lookup: _Lookup, key: str) -> int:
    """How many clients to take from one driving key: all of them when the lookup is small or
    the key is the words as typed, else a sample."""
    n = lookup.keys[key]
    if n < POPULAR and (key in lookup.own or lookup.clients <= SCAN):
        return n
    return 4 * PER_KEY if key in lookup.own else PER_KEY


def _driving_keys(lookup: _Lookup) -> list[str]:
    """The lookup's keys, those typed exactly first, then the most common."""
    reach = lookup.reach
    return sorted(reach, key=lambda k: (k not in lookup.own, -reach[k], k))[:16]


def _read_candidates(session: Session, drives: list[tuple[str, _Lookup, int]], known: list[_Lookup]) -> list[Person]:
    """Clients reached from each driving key that also carry a key of every other typed word."""
    params: dict[str, object] = {"scan": SCAN}
    for j, word in enumerate(known):
        params[f"w{j}"] = json.dumps(sorted(word.keys))
    slices, seen = [], set()
    for i, (key, lookup, keep) in enumerate(drives):
        if (key, lookup) in seen:
            continue
        seen.add((key, lookup))
        params[f"d{i}"], params[f"k{i}"] = key, keep
        also = [f"EXISTS (SELECT 1 FROM client_search_key b WHERE b.client_id = a.client_id "
                f"AND b.key IN (SELECT value FROM {_list_param(session, f'w{j}')}))"
                for j, word in enumerate(known) if not word.words <= lookup.words]
        where = f" WHERE {' AND '.join(also)}" if also else ""
        slices.append(f"SELECT * FROM (SELECT a.client_id FROM (SELECT client_id FROM client_search_key "
                      f"WHERE key = :d{i} LIMIT :scan) AS a{where} LIMIT :k{i}) AS s{i}")
    if not slices:
        return []
    sql = (f"SELECT id, first_name, last_name FROM client WHERE merged_into_id IS NULL AND id IN "
           f"({' UNION ALL '.join(slices)}) LIMIT {MAX_CANDIDATES}")
    return [tuple(row) for row in session.execute(sa.text(sql), params)]
