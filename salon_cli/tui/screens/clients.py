"""(being written)"""
from textual.screen import Screen


class ClientSearchScreen(Screen[None]):
    def __init__(self, *args: object) -> None:
        super().__init__()


class ClientCardScreen(Screen[None]):
    def __init__(self, *args: object) -> None:
        super().__init__()
