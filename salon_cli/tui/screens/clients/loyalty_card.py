"""The client card's loyalty pieces: the card itself (points, tier, the stamp row drawn as ●●●○○○○○,
points about to expire, codes waiting), the reward picker and the large code shown after a redemption.

They only show what `services.loyalty.cards` and `services.loyalty.rewards` return; the card screen calls
the services. Their words are the desk's language (`_`); the days `i18n.formats`'."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.loyalty.cards import CardView
from salon_cli.services.loyalty.program import ProgramView
from salon_cli.services.loyalty.rewards import RewardView

FULL, EMPTY = "●", "○"


def stamp_row(stamps: int, target: int) -> str:
    """'●●●○○○○○' for 3 of 8 (a full card shows every dot filled; no target, no row)."""
    if target <= 0:
        return ""
    filled = max(0, min(stamps, target))
    return FULL * filled + EMPTY * (target - filled)


def loyalty_text(card: CardView | None, program: ProgramView | None, tz: tzinfo, currency: str) -> Text:
    """The body of the loyalty card: points and tier, the stamps, what expires soon, codes waiting."""
    text = Text()
    if card is None or program is None or not program.active:
        text.append(_("no loyalty program"), style="dim")
        return text
    if not card.enrolled:
        text.append(_("not enrolled yet"), style="dim")
        text.append("\n" + _("(the first stamp or paid sale opens the card)"), style="dim")
        return text
    if card.program_type in ("points", "hybrid"):
        text.append(f"{card.points:,}", style="bold")
        text.append(" " + ngettext("point", "points", card.points))
        if card.multiplier != "1x":
            text.append("  " + _("(earning {multiplier})").format(multiplier=card.multiplier))
        if card.next_tier and card.points_to_next_tier is not None:
            text.append("\n" + _("{points} lifetime points to {tier}").format(
                points=f"{card.points_to_next_tier:,}", tier=card.next_tier), style="dim")
    if card.program_type in ("stamps", "hybrid"):
        text.append("\n" if text.plain else "")
        text.append(stamp_row(card.stamps, card.stamps_target), style="bold yellow")
        text.append(f"  {card.stamps}/{card.stamps_target}")
        if program.stamps_reward:
            text.append(f"\n→ {program.stamps_reward}", style="dim")
    for lot in card.expiring:
        text.append("\n" + _("expiring: {points} pts on {day}").format(
            points=f"{lot.points:,}", day=_day(lot.expires_at, tz, currency)), style="yellow")
    for code in card.codes:
        text.append("\n" + _("code") + " ")
        text.append(str(code["code"]), style="bold")
        text.append(f" {code['description']}")
    return text


def _day(at: datetime, tz: tzinfo, currency: str) -> str:
    return formats.day(at.astimezone(tz).date(), currency)


class LoyaltyCard(Static):
    """The loyalty card as a bordered box; `show(card, program, tz)` fills it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.border_title = _("Loyalty")

    def show(self, card: CardView | None, program: ProgramView | None, tz: tzinfo, currency: str) -> None:
        self.update(loyalty_text(card, program, tz, currency))


class RewardPicker(ModalScreen[int | None]):
    """The rewards catalogue as a list; Enter picks one (the card's points are shown next to each)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, rewards: Sequence[RewardView], points: int) -> None:
        super().__init__(classes="form-modal")
        self.rewards = list(rewards)
        self.points = points

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Redeem a reward"), id="dialog-title", markup=False)
            yield Static(ngettext("The card has {n} point.", "The card has {n} points.", self.points).format(
                n=f"{self.points:,}"), id="dialog-note", markup=False)
            options = []
            for reward in self.rewards:
                label = Text(_("{points} pts  {reward}").format(points=f"{reward.points:>6,}", reward=reward.name))
                if reward.points > self.points:
                    label.stylize("dim")
                options.append(Option(label, id=str(reward.id)))
            yield OptionList(*options, id="rewards")
            yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def spaced(code: str) -> str:
    """'K7QM-3XPD' -> 'K 7 Q M - 3 X P D': easier to read out across the desk."""
    return " ".join(code)


class CodeModal(ModalScreen[None]):
    """A redemption (or stamp-card reward) code, large, to read out or write down; Enter or Escape closes it."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="close"), Binding("enter", "close", N_("Close"), show=False)]
    def __init__(self, title: str, code: str, what: str) -> None:
        super().__init__(classes="form-modal")
        self.heading = title
        self.code = code
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading, id="dialog-title", markup=False)
            yield Static(spaced(self.code), id="code", markup=False)
            yield Static(self.what, id="dialog-note", markup=False)
            yield Button(_("Done"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
