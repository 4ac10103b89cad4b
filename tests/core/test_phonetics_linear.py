"""Sound codes of long input (issue 26, item 16): the same codes as before, for linear work.

`OldCodes` below is the implementation of core/phonetics.py before the change, kept word for word as
the reference oracle: hypothesis checks that today's code gives exactly its codes, and the work
tests count the same thing in both (how many times the rule table is read, one read per step of the
spelling), so that no test depends on the machine's speed. benchmarks/search_long_query.py reuses
`OldCodes` to put times beside it.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salon_cli.core import phonetics
from salon_cli.core.phonetics import (
    CODE_LETTERS,
    CONTEXT_LETTERS,
    LETTERS,
    RULES,
    VOWELS_Y,
    codes_one_slip_away,
    name_tokens,
    one_edit_away,
    sound_code,
)


class CountingRules(dict):
    """A rule table that counts how often it is read."""

    reads = 0

    def get(self, key, default=None):
        self.reads += 1
        return super().get(key, default)


def rules_by_letter() -> CountingRules:
    table = CountingRules()
    for rule in sorted(RULES, key=lambda r: -len(r.spelling)):
        table.setdefault(rule.spelling[0], []).append((rule.spelling, rule.code, rule.before, rule.at_start))
    return table


class OldCodes:
    """core/phonetics.py's coding before issue 26, unchanged but for `self.rules` (its table)."""

    def __init__(self) -> None:
        self.rules = rules_by_letter()

    def sound_code(self, word: str) -> str:
        return self._code_of("".join(name_tokens(word)))

    def _code_of(self, letters: str) -> str:
        out: list[str] = []
        i, n = 0, len(letters)
        while i < n:
            letter = letters[i]
            for spelling, code, before, at_start in self.rules.get(letter, ()):
                end = i + len(spelling)
                if (end > i + 1 and letters[i:end] != spelling) or end > n:
                    continue
                if at_start is not None and (i == 0) != at_start:
                    continue
                if before and (end >= n or letters[end] not in before):
                    continue
                out.append(code)
                i = end
                break
            else:
                out.append(letter.upper())
                i += 1
        return self._without_repeats("".join(out))

    @staticmethod
    def _without_repeats(code: str) -> str:
        if not any(a == b for a, b in zip(code, code[1:])):
            return code
        return "".join(ch for i, ch in enumerate(code) if i == 0 or code[i - 1] != ch)

    def one_edit_away(self, code: str) -> set[str]:
        out: set[str] = set()
        for i in range(len(code) + 1):
            head, tail = code[:i], code[i:]
            before = head[-1:]
            if tail:
                out.add(self._without_repeats(head + tail[1:]))
                if len(tail) > 1:
                    out.add(self._without_repeats(head + tail[1] + tail[0] + tail[2:]))
            after, next_after = tail[:1], tail[1:2]
            for letter in CODE_LETTERS:
                if letter != before and letter != after:
                    out.add(head + letter + tail)
                if tail and letter != before and letter != next_after:
                    out.add(head + letter + tail[1:])
        out.discard(code)
        out.discard("")
        return out

    def codes_one_slip_away(self, word: str) -> set[str]:
        letters = "".join(name_tokens(word))
        code = self._code_of(letters)
        out = self.one_edit_away(code) if len(code) >= 3 else set()
        spellings: set[str] = set()
        for i in range(len(letters) + 1):
            head, tail = letters[:i], letters[i:]
            if tail:
                spellings.add(head + tail[1:])
                if len(tail) > 1:
                    spellings.add(head + tail[1] + tail[0] + tail[2:])
            merged = bool(head and tail) and (head[-1] == tail[0] or {head[-1], tail[0]} <= VOWELS_Y)
            spellings.update(head + letter + tail for letter in (LETTERS if i == 0 or merged else CONTEXT_LETTERS))
        out.update(self._code_of(s) for s in spellings if len(s) >= 2)
        out.discard(code)
        out.discard("")
        return out


OLD = OldCodes()

# Letters the rules care about, many times over, so that short random words hit every rule and
# every rule's neighbour (ph, phen, ch, chr, ck, cc, gu, ni, ny, ll, qu, mps, x at the start ...).
RULE_LETTERS = "aeiouyhcgnlpqxszkmtrvw" + "cchhhnnllggppuuiiyeeaa"
rule_words = st.text(alphabet=RULE_LETTERS, max_size=14)
any_words = st.text(max_size=12)  # accents, apostrophes, digits, other scripts: folded or dropped


@settings(max_examples=1500, deadline=None)
@given(st.one_of(rule_words, any_words))
def test_sound_codes_are_the_old_codes(word):
    assert sound_code(word) == OLD.sound_code(word)


@settings(max_examples=400, deadline=None)
@given(st.one_of(rule_words, any_words))
def test_codes_one_slip_away_are_the_old_ones(word):
    assert codes_one_slip_away(word) == OLD.codes_one_slip_away(word)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ABEIKSRT", max_size=10))  # doubled sounds too: one_edit_away takes any code
def test_one_edit_away_is_the_old_one(code):
    assert one_edit_away(code) == OLD.one_edit_away(code)


@pytest.mark.parametrize("word", ["Stephens", "Christopher", "Llolanda", "Xicoténcatl", "Phillips", "Thompson",
                                  "acción", "Guillermo", "Muñoz", "yyyy", "cccce", "chchchr", "phphen", "ll", "x"])
def test_names_the_rules_were_written_for_keep_their_codes(word):
    assert sound_code(word) == OLD.sound_code(word)
    assert codes_one_slip_away(word) == OLD.codes_one_slip_away(word)


# -- the work, counted --------------------------------------------------------------------------


def long_word(n: int, seed: int = 7) -> str:
    """n letters of names run together: every rule, at every position."""
    rng = random.Random(seed)
    names = ["jimenez", "stephens", "guillermo", "chavez", "phillips", "llanes", "xochitl", "munoz", "thompson",
             "accion", "quintero", "yanez", "christopher"]
    out = ""
    while len(out) < n:
        out += rng.choice(names)
    return out[:n]


def reads(monkeypatch, work, *args) -> int:
    """How many times `work(*args)` reads core/phonetics.py's rule table."""
    table = rules_by_letter()
    monkeypatch.setattr(phonetics, "_RULES_BY_LETTER", table)
    phonetics.token_code.cache_clear()
    work(*args)
    return table.reads


def test_the_code_of_a_long_name_is_one_step_a_letter_at_most(monkeypatch):
    word = long_word(20_000)
    assert reads(monkeypatch, sound_code, word) <= 20_000
    assert sound_code(word) == OLD.sound_code(word)
    assert len(sound_code(long_word(200_000))) > 100_000  # and 200,000 letters take no time to speak of


@pytest.mark.parametrize("pattern", ["names", "one letter", "chch", "ccce"])
def test_the_codes_one_slip_away_take_linear_work(monkeypatch, pattern):
    def word(n: int) -> str:
        if pattern == "names":
            return long_word(n)
        return ({"one letter": "a", "chch": "ch", "ccce": "ccce"}[pattern] * n)[:n]

    small, large = (reads(monkeypatch, codes_one_slip_away, word(n)) for n in (500, 1_000))
    assert large <= 2.2 * small, (small, large)  # twice the letters, twice the work
    assert large <= 150 * 1_000  # a few steps for each of the 28 slips a letter has at most


def test_the_old_codes_one_slip_away_took_quadratic_work():
    """The measure above tells linear from quadratic: the old code reads the table anew for every
    spelling, about 10 n spellings of n letters each."""
    counts = []
    for n in (150, 300):
        OLD.rules.reads = 0
        OLD.codes_one_slip_away(long_word(n))
        counts.append(OLD.rules.reads)
    assert counts[1] >= 3.5 * counts[0], counts
