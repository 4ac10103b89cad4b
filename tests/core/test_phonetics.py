"""How names sound (core/phonetics.py) and how well a name answers a query (core/name_match.py)."""

from __future__ import annotations

import pytest

from salon_cli.core.name_match import SOUNDS_SAME, TypedWord, rank, typed_words, word_score
from salon_cli.core.phonetics import (
    codes_one_slip_away,
    name_tokens,
    one_edit_away,
    sound_code,
    sounds_alike,
)

# Spellings a Latin-American front desk writes for the same name.
SAME_SOUND = [
    ("Jiménez", "Giménez"), ("Ximena", "Jimena"), ("Vázquez", "Basquez"), ("Hernández", "Ernandes"),
    ("Yáñez", "Llanes"), ("González", "Gonsales"), ("Catherine", "Katherine"), ("Steven", "Stephen"),
    ("Rodríguez", "Rodrigues"), ("Cecilia", "Sesilia"), ("Quintero", "Kintero"), ("Guillermo", "Gillermo"),
    ("Yolanda", "Llolanda"), ("Phillips", "Filips"), ("Thompson", "Tomson"), ("Muñoz", "Munioz"),
    ("Sarah", "Sara"), ("Anna", "Ana"), ("Miguel", "Migel"), ("Christopher", "Kristofer"),
    ("Chávez", "Chabez"), ("Smith", "Smyth"), ("Xavier", "Javier"), ("Stephens", "Stevens"),
]

# Different names that must stay apart.
DIFFERENT = [
    ("García", "Garza"), ("Ana", "Ane"), ("María", "Marta"), ("María", "Mario"), ("Luis", "Luisa"),
    ("Hernández", "Fernández"), ("Vázquez", "Velázquez"), ("Juan", "Juana"), ("Pérez", "Peña"),
    ("Gómez", "Gámez"), ("Ramos", "Ramón"), ("Castillo", "Castro"), ("Smith", "Schmidt"),
    ("Emily", "Emilio"), ("Sara", "Zara Larsen"),
]


@pytest.mark.parametrize(("a", "b"), SAME_SOUND)
def test_spellings_that_sound_the_same_get_one_code(a, b):
    assert sound_code(a) == sound_code(b), (sound_code(a), sound_code(b))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_keep_different_codes(a, b):
    assert not sounds_alike(a, b), (sound_code(a), sound_code(b))


def test_case_accents_and_punctuation_do_not_matter():
    assert sound_code("  JIMÉNEZ ") == sound_code("jimenez") == "JIMENES"
    assert sound_code("O'Brien") == sound_code("obrien")
    assert sounds_alike("María José Hernández", "maria jose ernandes")
    assert not sounds_alike("María Hernández", "María")


def test_codes_are_upper_case_and_never_hold_a_doubled_sound():
    for name in ["Phillips", "Anna", "Guillermo", "Hannah", "Jessica", "Yaretzi", "Xicoténcatl"]:
        code = sound_code(name)
        assert code.isupper() and code.isalpha()
        assert all(a != b for a, b in zip(code, code[1:])), code


def test_name_tokens_fold_and_split():
    assert name_tokens("María-José  O'Brien") == ["maria", "jose", "obrien"]
    assert name_tokens("  ") == [] and name_tokens(None) == []


def test_one_edit_away_covers_drops_additions_changes_and_swaps():
    near = one_edit_away("MARIA")
    assert {"MARA", "MARIAN", "MARTA", "MAIRA"} <= near
    assert "MARIA" not in near
    assert all(a != b for code in near for a, b in zip(code, code[1:]))


@pytest.mark.parametrize(("typed", "meant"), [
    ("Garca", "García"),      # a dropped vowel turns c from s to k: two sounds move
    ("Patriia", "Patricia"),  # a dropped consonant between twins
    ("iXmena", "Ximena"),     # swapped letters at the start
    ("Segrio", "Sergio"),
    ("Emiy", "Emily"),
    ("Hernadez", "Hernández"),
    ("Jimmenez", "Jiménez"),
])
def test_one_slip_in_the_spelling_reaches_the_meant_code(typed, meant):
    assert sound_code(meant) in codes_one_slip_away(typed) | {sound_code(typed)}


def test_word_scores_exact_above_sounds_same_above_one_slip():
    word = typed_words("basquez")[0]
    assert word_score(word, "basquez")[0] == 100
    assert word_score(word, "vazquez")[0] == SOUNDS_SAME
    assert word_score(word, "basques")[0] == SOUNDS_SAME  # sounds the same, one letter off
    assert word_score(word, "vasquex")[0] < SOUNDS_SAME
    # a swap counts as one slip, like a drop: 'juna' is as near to Juan as to Juana
    juna = TypedWord("juna", sound_code("juna"))
    assert word_score(juna, "juan")[0] == word_score(juna, "juana")[0]


def test_a_half_typed_last_word_matches_what_it_starts():
    words = typed_words("ximena jim", typing=True)
    assert words[-1].typing and not words[0].typing
    assert word_score(words[-1], "jimenez")[0] >= 75
    assert word_score(typed_words("ximena jim")[-1], "jimenez")[0] < 50  # not while complete


def test_rank_puts_the_exact_name_first_and_takes_turns_between_equal_names():
    people = [(1, "María", "Hernández López"), (2, "Marta", "Hernández"), (3, "María", "Hernández"),
              (4, "Mayra", "Hernández"), (5, "María", "Hernández"), (6, "Rosa", "Vázquez")]
    ranked = rank(typed_words("maria hernandez"), people)
    assert [cid for cid, _ in ranked[:3]] == [3, 5, 1]
    assert ranked[0][1] == 100.0 and 6 not in [cid for cid, _ in ranked]
    # 'Mara' is one slip from María, Marta and Mayra: equal scores take turns by name
    ranked = rank(typed_words("mara hernandez"), people, [{"MARIA": 900, "MARTA": 40, "MAIRA": 300}, {}])
    firsts = [cid for cid, _ in ranked[:4]]
    assert firsts == [3, 4, 2, 5]  # María (commonest), Mayra, Marta, then the second María
    assert all(a[1] >= b[1] for a, b in zip(ranked, ranked[1:]))
