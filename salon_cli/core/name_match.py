"""How well a client's name answers what the receptionist typed: a score from 0 to 100.

Word against word, in any order: an exact word scores 100, a word that sounds the same (see
phonetics.py) 96, otherwise the share of the typed word left after counting its slips (a letter
dropped, added, changed, or two swapped: one slip each). The last word, while it is still being
typed, also scores as the start of a longer word, by how much of it was typed. The name's score
is the mean over the typed words, less a little for each name word left over and for words
typed out of order.

Two names one slip away score the same; the commoner name is then listed first (it is the likelier
one to be meant), and names of equal score take turns, so that a hundred 'María Hernández' do not
hide the one 'Marta Hernández'. Pure Python (rapidfuzz for the edit distance).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from salon_cli.core.phonetics import name_tokens, sound_code, token_code

SOUNDS_SAME = 96.0  # spelled differently, said the same: just below an exact word
MIN_SCORE = 40.0  # below this a name is no answer at all


@dataclass(frozen=True)
class TypedWord:
    text: str  # folded: 'jimenez'
    code: str  # sound code: 'JIMENES'
    typing: bool = False  # the last word, still being typed: a prefix of a name word counts


def typed_words(query: str, *, typing: bool = False, most: int = 5) -> list[TypedWord]:
    tokens = name_tokens(query)[:most]
    return [TypedWord(t, sound_code(t), typing and i == len(tokens) - 1) for i, t in enumerate(tokens)]


def rank(words: list[TypedWord], people: Iterable[tuple[int, str, str]],
         commonness: list[Mapping[str, int]] | None = None) -> list[tuple[int, float]]:
    """(client id, score) best first for `people` given as (id, first name, last name).

    `commonness[i]` maps sound codes to how many clients carry them, for typed word i: it breaks
    ties between equally good names in favour of the commoner one.
    """
    if not words:
        return []
    commonness = commonness or [{} for _ in words]
    by_name: dict[str, tuple[float, float, float]] = {}
    pairs: dict[tuple[int, str], tuple[float, float, str]] = {}
    rows = []
    for cid, first, last in people:
        name_words = _words_of(first, last)
        name = " ".join(name_words)
        if name not in by_name:
            by_name[name] = _name_score(words, name_words, pairs, commonness)
        score, spelled, common = by_name[name]
        if score >= MIN_SCORE:
            rows.append((round(score, 1), spelled, common, name, cid))
    rows.sort(key=lambda r: (-r[0], -r[1], -r[2], r[3], r[4]))
    turns: dict[tuple[float, str], int] = {}
    order = []
    for position, (score, _, _, name, cid) in enumerate(rows):
        turn = turns[score, name] = turns.get((score, name), -1) + 1
        order.append((-score, turn, position, cid, score))
    order.sort()
    return [(cid, score) for _, _, _, cid, score in order]


@lru_cache(maxsize=16384)
def _words_of(first: str, last: str) -> tuple[str, ...]:
    """A client's name as words (cached: the same names come up search after search)."""
    return tuple(name_tokens(f"{first} {last}"))


def _name_score(words: list[TypedWord], name_words: tuple[str, ...], pairs: dict,
                commonness: list[Mapping[str, int]]) -> tuple[float, float, float]:
    """(score, spelling closeness, commonness) of one name. Each typed word takes its best name
    word; a name word serves once."""
    scored = []
    for i, word in enumerate(words):
        for j, name_word in enumerate(name_words):
            if (i, name_word) not in pairs:
                pairs[i, name_word] = word_score(word, name_word)
            scored.append((pairs[i, name_word], i, j))
    scored.sort(key=lambda p: (-p[0][0], -p[0][1], p[1], p[2]))
    taken: dict[int, int] = {}
    used: set[int] = set()
    total = spelled = common = 0.0
    for (score, close, code), i, j in scored:
        if i in taken or j in used:
            continue
        taken[i] = j
        used.add(j)
        total += score
        spelled += close
        common += math.log1p(commonness[i].get(code, 0))
    order = [taken[i] for i in sorted(taken)]
    penalty = 0.5 * (len(name_words) - len(used)) + (0.5 if order != sorted(order) else 0.0)
    return total / len(words) - penalty, spelled / len(words), common


def word_score(word: TypedWord, name_word: str) -> tuple[float, float, str]:
    """(score, spelling closeness, the name word's sound code) of one name word.

    Slips are counted against the typed word's length, so every name one slip from 'juna'
    ('juan', 'juana', 'luna') scores the same and commonness decides.
    """
    code = token_code(name_word)
    if name_word == word.text:
        return 100.0, 100.0, code
    spelled = max(0.0, 100.0 * (1 - OSA.distance(word.text, name_word) / len(word.text)))
    score = max(spelled, SOUNDS_SAME if code == word.code else 0.0)
    if word.typing:
        # A half-typed word: every name word it starts scores the same, by how much was typed,
        # so that the commoner name comes first ('mar': María before Mark); a whole word with
        # one slip weighs as much ('Thoms': Thomas before Thomson).
        if name_word.startswith(word.text):
            typed = min(85.0, 70.0 + 2 * len(word.text))
            score, spelled = max(score, typed), max(spelled, typed)
        elif len(word.code) >= 2 and code.startswith(word.code):
            score = max(score, min(80.0, 64.0 + 2 * len(word.code)))
    return score, spelled, code
