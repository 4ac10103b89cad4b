"""Report tables as people read them (cli/output.py): figures right-aligned, headers never wrapped at 120
columns, the currency named once, never an amount cropped on a narrow terminal; and the charts drawn in
ASCII when the output is not a terminal (cli/closing/charts.py)."""

from __future__ import annotations

import pytest

from salon_cli.cli import output
from salon_cli.cli.closing import charts
from salon_cli.cli.closing.reports import STAFF_COLUMNS

STAFF = [
    {"code": "ana", "name": "Ana Jiménez", "services": 142, "revenue_cents": 9497669, "tips_cents": 386000,
     "commission_cents": 3799068, "no_shows": 9, "appointments": 156, "average_ticket_cents": 69326,
     "rebooking_rate": 61.4},
    {"code": "valeria", "name": "Valeria Torres", "services": 170, "revenue_cents": 7904321, "tips_cents": 425000,
     "commission_cents": 2766512, "no_shows": 13, "appointments": 186, "average_ticket_cents": 47331,
     "rebooking_rate": None},
]
HEADERS = {"average_ticket_cents": "avg_ticket"}


def _show(capsys, monkeypatch, columns: int, *, styled: bool) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(output, "styled", lambda: styled)
    output.emit(STAFF, output.Format.table, columns=STAFF_COLUMNS, currency="MXN", headers=HEADERS)
    return [line.rstrip() for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("styled", [True, False], ids=["terminal", "pipe"])
def test_the_staff_report_fits_120_columns_with_figures_right_aligned(capsys, monkeypatch, styled):
    lines = _show(capsys, monkeypatch, 120, styled=styled)
    assert lines[0].split() == ["code", "name", "services", "revenue", "tips", "commission", "no_shows",
                                "appointments", "avg_ticket", "rebooking_rate"]  # one line: no header wrapped
    assert max(len(line) for line in lines) <= 120
    ana, valeria = lines[1], lines[2]
    assert ana.split()[:3] == ["ana", "Ana", "Jiménez"] and "94976.69" in ana  # no sign in the cells
    # right-aligned: a column's figures end where its header ends
    for header, ana_cell in (("revenue", "94976.69"), ("commission", "37990.68"), ("appointments", "156")):
        end = lines[0].index(header) + len(header)
        assert ana[end - len(ana_cell):end] == ana_cell
    assert valeria.split()[-1] == "473.31"  # an empty rate stays empty
    if styled:
        assert lines[-1].strip() == "amounts in MXN"  # the currency, once
    else:
        assert "MXN" not in "\n".join(lines)


def test_a_terminal_too_narrow_never_crops_an_amount(capsys, monkeypatch):
    lines = _show(capsys, monkeypatch, 60, styled=True)
    text = "\n".join(lines)
    for figure in ("94976.69", "37990.68", "79043.21", "27665.12", "693.26", "61.4"):
        assert figure in text
    assert lines[0].split()[0] == "code" and "Ana Jiménez" in lines[1]


def test_a_record_of_figures_is_right_aligned_and_a_mixed_one_is_not(capsys, monkeypatch):
    monkeypatch.setattr(output, "styled", lambda: False)
    output.emit({"revenue_cents": 33931105, "tax_cents": 5428995, "refund_cents": 94400}, output.Format.table,
                one=True, currency="MXN")
    assert capsys.readouterr().out.splitlines() == ["revenue  339311.05", "tax       54289.95", "refund      944.00"]
    output.emit({"code": "ana", "services": 12}, output.Format.table, one=True)
    assert capsys.readouterr().out.splitlines() == ["code      ana", "services  12"]


def test_the_charts_in_plain_characters():
    lines = charts.bar_chart([("ana", 2000), ("diego", 1000), ("emma", 1), ("refunds", -500)], width=10, plain=True)
    assert lines == ["ana      2000  ##########", "diego    1000  #####", "emma        1  #", "refunds  -500  ---"]
    assert charts.sparkline([0, 1, 2, 3, 4, 5, 6, 7, None], plain=True) == "_.:-=+*# "
    assert charts.sparkline([0, 7], plain=False) == "▁█"
    assert all(ord(c) < 128 for line in lines for c in line)
