"""How a name sounds, for the people who write it down at a Latin-American front desk.

A caller says "Jiménez" and the receptionist types "Giménez"; "Ximena" comes out "Jimena",
"Vázquez" "Basquez", "Catherine" "Katherine". `sound_code()` turns a name into a code that is
the same for such spellings, so search can look the code up in an index.

The rules follow Latin-American Spanish (seseo: c/s/z sound alike; yeísmo: ll and y; silent h;
b and v the same; g before e/i and x at the start of a name sound like j) and the English
spellings clients bring (ph, th, ck, Stephen said as Steven). Vowels are kept -- they tell
García from Garza and Ana from Ane -- but a doubled letter counts once.

Codes are upper case (A-Z), so they never collide with folded name tokens (lower case) in the
same index. Pure Python: no database or UI library here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from salon_cli.core.text import fold

VOWELS = frozenset("aeiou")
VOWELS_Y = frozenset("aeiouy")
FRONT_VOWELS = frozenset("eiy")  # after c and g these make c sound like s and g like j


@dataclass(frozen=True)
class Rule:
    """`spelling` sounds like `code` when the letter after it is in `before` (any, if empty)."""

    spelling: str
    code: str
    before: frozenset[str] = frozenset()
    at_start: bool | None = None  # True: only at the start of the name; False: never there


# Longest spellings first: the first rule that fits at a position wins. A letter with no rule
# is its own code (upper case).
RULES: tuple[Rule, ...] = (
    Rule("phen", "BEN", at_start=False),        # English says Stephen, Stephens like Steven
    Rule("chr", "KR"),                          # Christopher, Christian: a hard c
    Rule("chl", "KL"),
    Rule("mps", "MS"),                          # the p of Thompson and Simpson is silent
    Rule("gu", "J", before=frozenset("ei")),    # Guillermo sounds as typed "Gillermo" (g = j)
    Rule("ni", "N", before=VOWELS),             # ñ is folded to n: Muñoz ~ Munioz, Yáñez ~ Yanies
    Rule("ny", "N", before=VOWELS),
    Rule("ll", "Y", at_start=True),             # yeísmo: Llolanda ~ Yolanda; inside a name ll stays l
    Rule("ph", "F"),                            # Phillips ~ Filips
    Rule("th", "T"),                            # Thompson ~ Tomson, Catherine ~ Katerine
    Rule("sh", "X"),                            # Ashley: a sound of its own
    Rule("ch", "C"),                            # Chávez: a sound of its own
    Rule("ck", "K"),
    Rule("qu", "K"),                            # Quintero ~ Kintero, Vázquez ~ Basquez
    Rule("cc", "KS", before=FRONT_VOWELS),      # acción
    Rule("c", "S", before=FRONT_VOWELS),        # seseo: Cecilia ~ Sesilia
    Rule("c", "K"),                             # Catherine ~ Katherine
    Rule("g", "J", before=FRONT_VOWELS),        # Giménez ~ Jiménez
    Rule("x", "J", at_start=True),              # Ximena ~ Jimena, Xavier ~ Javier
    Rule("x", "KS"),                            # Alexis
    Rule("y", "Y", before=VOWELS),              # a consonant before a vowel (Yáñez, Yolanda) ...
    Rule("y", "I"),                             # ... a vowel otherwise (Rey, Smyth)
    Rule("h", ""),                              # silent: Hernández ~ Ernandes
    Rule("v", "B"),                             # b and v sound the same: Vázquez ~ Basquez
    Rule("w", "W"),
    Rule("z", "S"),                             # seseo: González ~ Gonsales
    Rule("q", "K"),
    Rule("k", "K"),
)

# Rules grouped by first letter, longest first, as plain tuples: indexing codes every word of every
# client's name, so this loop is worth keeping lean.
_RULES_BY_LETTER: dict[str, list[tuple[str, str, frozenset[str], bool | None]]] = {}
for _rule in sorted(RULES, key=lambda r: -len(r.spelling)):
    _RULES_BY_LETTER.setdefault(_rule.spelling[0], []).append(
        (_rule.spelling, _rule.code, _rule.before, _rule.at_start))

# How far a rule reads from where it starts (its spelling and the letter after it): a slip further
# on cannot change which rule fits there.
_READS = max(len(rule.spelling) + bool(rule.before) for rule in RULES)

_NOT_LETTERS = re.compile(r"[^a-z]+")
_APOSTROPHES = re.compile(r"['`´’]")


def name_tokens(text: str | None) -> list[str]:
    """The words of a name as search compares them: folded, apostrophes dropped, split on
    anything that is not a letter. "María-José O'Brien" -> ['maria', 'jose', 'obrien']."""
    folded = _APOSTROPHES.sub("", fold(text))
    return [token for token in _NOT_LETTERS.split(folded) if token]


def sound_code(word: str) -> str:
    """The code of one word of a name: 'Jiménez' and 'Giménez' -> 'JIMENES'.

    Accents and case do not matter; characters that are not letters are dropped.
    """
    return _code_of("".join(name_tokens(word)))


@lru_cache(maxsize=8192)
def token_code(token: str) -> str:
    """`sound_code` of a word already folded by `name_tokens` (cached: names repeat)."""
    return _code_of(token)


def _code_of(letters: str) -> str:
    """The code of letters already folded: each rule's code in turn, doubled sounds once."""
    out: list[str] = []
    i, n = 0, len(letters)
    while i < n:
        i, code = _rule_at(letters, i, n)
        out.append(code)
    return _without_repeats("".join(out))


def _rule_at(letters: str, i: int, n: int) -> tuple[int, str]:
    """The first rule that fits at position i: where its spelling ends, and its code."""
    for spelling, code, before, at_start in _RULES_BY_LETTER.get(letters[i], ()):
        end = i + len(spelling)
        if (end > i + 1 and letters[i:end] != spelling) or end > n:
            continue
        if at_start is not None and (i == 0) != at_start:
            continue
        if before and (end >= n or letters[end] not in before):
            continue
        return end, code
    return i + 1, letters[i].upper()


def _without_repeats(code: str) -> str:
    """A doubled sound counts once: Phillips ~ Filips, Anna ~ Ana."""
    if not any(a == b for a, b in zip(code, code[1:])):
        return code
    return "".join(ch for i, ch in enumerate(code) if i == 0 or code[i - 1] != ch)


def _glue(head: str, tail: str) -> str:
    """`_without_repeats(head + tail)` of two codes that hold no doubled sound."""
    return head + tail[1:] if head and tail and head[-1] == tail[0] else head + tail


class _Runs:
    """`_without_repeats` of any start or any end of `raw`, sliced from one pass made up front: the
    code of a word with a slip in it is pieced together around the slip, never read letter by letter."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.code = _without_repeats(raw)
        kept = [0]  # kept[x]: how many letters of raw[:x] its code keeps
        for x, letter in enumerate(raw):
            kept.append(kept[-1] + (x == 0 or raw[x - 1] != letter))
        self.kept = kept

    def head(self, end: int) -> str:
        """`_without_repeats(raw[:end])`."""
        return self.code[:self.kept[end]]

    def tail(self, start: int) -> str:
        """`_without_repeats(raw[start:])`."""
        if start >= len(self.raw):
            return ""
        return self.raw[start] + self.code[self.kept[start + 1]:]


def sounds_alike(a: str, b: str) -> bool:
    """Whether two names (any number of words) sound the same word for word."""
    return [sound_code(t) for t in name_tokens(a)] == [sound_code(t) for t in name_tokens(b)]


# Letters a sound code can contain (see RULES: h, q, v and z never survive).
CODE_LETTERS = "ABCDEFGIJKLMNOPRSTUWXY"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A dropped consonant changes one sound (covered by one_edit_away); a dropped vowel or h can
# change the sound of the letter before it (c, g, n, ch, th ...), so those are put back in the
# spelling itself.
CONTEXT_LETTERS = "aeiouyh"


def one_edit_away(code: str) -> set[str]:
    """Every code one slip from `code`: a sound dropped, added, changed, or two swapped.

    A stored code never holds a doubled sound, so neither does a probe.
    """
    out: set[str] = set()
    runs = _Runs(code)  # a drop or a swap can double a sound only where it happens
    for i in range(len(code) + 1):
        head, tail = code[:i], code[i:]
        before = head[-1:]
        if tail:
            out.add(_glue(runs.head(i), runs.tail(i + 1)))
            if len(tail) > 1:
                out.add(_glue(_glue(runs.head(i), _without_repeats(tail[1] + tail[0])), runs.tail(i + 2)))
        after, next_after = tail[:1], tail[1:2]
        for letter in CODE_LETTERS:
            if letter != before and letter != after:
                out.add(head + letter + tail)
            if tail and letter != before and letter != next_after:
                out.add(head + letter + tail[1:])
    out.discard(code)
    out.discard("")
    return out


def codes_one_slip_away(word: str) -> set[str]:
    """The codes `word` may have been meant to have, had the receptionist made one slip.

    Two ways in, because a slip in the letters can move the code by more than one sound
    ('Garca' is GARKA, 'García' GARSIA): every code one edit from the word's code, and the code of
    every spelling one letter dropped, added or swapped from the word. Search probes these in the
    index (a few hundred primary-key look-ups) instead of storing each client's neighbours, which
    would multiply the index several times.

    The rules take a few steps per spelling, however long the word: each spelling's code is the
    word's own with only the letters around the slip read again (`_Slips`). The answer itself is
    some 10 n codes of about n letters for a word of n letters, which is one reason search reads at
    most 100 characters of a query (services/clients/search.py, MAX_QUERY).
    """
    letters = "".join(name_tokens(word))
    slips = _Slips(letters)
    code = slips.code
    out = one_edit_away(code) if len(code) >= 3 else set()
    n = len(letters)
    for i in range(n + 1):
        if i < n:
            if n > 2:  # a dropped letter leaves two or more
                out.add(slips.code_with(i, i + 1, ""))
            if i + 1 < n:
                out.add(slips.code_with(i, i + 2, letters[i + 1] + letters[i]))
        # any letter at the start (the x, ll rules) or where two letters of one sound meet
        # ('Patriia' for 'Patricia', 'Emiy' for 'Emily'): there a drop merged two sounds
        merged = 0 < i < n and (letters[i - 1] == letters[i] or {letters[i - 1], letters[i]} <= VOWELS_Y)
        if n > 0:  # an added letter makes two or more
            out.update(slips.code_with(i, i, letter) for letter in (LETTERS if i == 0 or merged else CONTEXT_LETTERS))
    out.discard(code)
    out.discard("")
    return out


class _Slips:
    """A word's letters read once by the rules, so that the code of the word with one slip in it
    (letters[i:j] typed as `put`) costs a few steps: the rules that read no further than the slip
    keep their codes, the letters from there on are read again until the reading falls back in step
    with the word's own (the rest of the spelling is then the rest of the word), and the codes
    before and after are sliced from the word's code."""

    def __init__(self, letters: str) -> None:
        self.letters = letters
        self.starts: list[int] = []  # where each rule's spelling starts in the word
        codes, i, n = [], 0, len(letters)
        while i < n:
            self.starts.append(i)
            i, code = _rule_at(letters, i, n)
            codes.append(code)
        self.rule_from = {start: k for k, start in enumerate(self.starts)} | {n: len(codes)}
        self.offsets = [0]  # where each rule's code starts in the word's code before doubles go
        for code in codes:
            self.offsets.append(self.offsets[-1] + len(code))
        self.runs = _Runs("".join(codes))
        self.code = self.runs.code

    def code_with(self, i: int, j: int, put: str) -> str:
        """The code of the word with letters[i:j] typed as `put`."""
        letters = self.letters
        spelling = letters[:i] + put + letters[j:]
        n = len(spelling)
        first = bisect_right(self.starts, i - _READS)  # rules before this one read no further than i
        at = self.starts[first] if first < len(self.starts) else len(letters)
        after, shift = i + len(put), j - i - len(put)  # spelling[after:] is letters[j:]; at + shift there
        middle: list[str] = []
        while at < n:
            if at >= after and at > 0 and at + shift > 0 and (rejoin := self.rule_from.get(at + shift)) is not None:
                break  # the same letters, neither at the start: the word's own rules from here on
            at, code = _rule_at(spelling, at, n)
            middle.append(code)
        else:
            rejoin = len(self.starts)
        head = self.runs.head(self.offsets[first])
        return _glue(_glue(head, _without_repeats("".join(middle))), self.runs.tail(self.offsets[rejoin]))
