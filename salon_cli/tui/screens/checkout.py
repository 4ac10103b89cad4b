"""(being written)"""
from textual.screen import Screen


class CheckoutScreen(Screen[None]):
    def __init__(self, *args: object) -> None:
        super().__init__()
