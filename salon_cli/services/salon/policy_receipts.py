"""A location's receipts in its policy: the ESC/POS printer and the ways a receipt goes out by default.

The printer is written as one short text (`salon policy set --receipt-printer SPEC`):

- `network:HOST[:PORT]`: a printer on the network (port 9100 unless said; `network:[fe80::1]:9100`);
- `usb:VENDOR:PRODUCT`: a USB printer by its ids in hex (`usb:04b8:0202`, as `lsusb` shows them);
- `serial:DEVICE[:BAUD]`: a serial printer (`serial:/dev/ttyS0:19200`; 9600 baud unless said);
- `file:PATH`: a device file or any file the bytes are written to (`file:/dev/usb/lp0`);
- `none`: no printer.

The ways out (`--receipt-via`) are a comma list of `screen`, `print` and `email`. Both are checked here
(exit 2 on a bad one), before anything is written; `services.receipts` opens the printer.
"""

from __future__ import annotations

from dataclasses import dataclass

from salon_cli.core.errors import InvalidInput

KINDS = ("network", "usb", "serial", "file")
WAYS = ("screen", "print", "email")
NETWORK_PORT = 9100
SERIAL_BAUD = 9600
_EXAMPLES = "network:192.168.1.50[:9100], usb:04b8:0202, serial:/dev/ttyS0[:9600], file:/dev/usb/lp0 or none"


@dataclass(frozen=True)
class PrinterSpec:
    kind: str  # network | usb | serial | file
    host: str | None = None
    port: int | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    device: str | None = None  # serial device, or the file's path
    baud: int | None = None

    def __str__(self) -> str:
        if self.kind == "network":
            host = f"[{self.host}]" if self.host and ":" in self.host else self.host
            return f"network:{host}:{self.port}"
        if self.kind == "usb":
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        if self.kind == "serial":
            return f"serial:{self.device}:{self.baud}"
        return f"file:{self.device}"


def _bad(text: str, why: str) -> InvalidInput:
    return InvalidInput(f"receipt printer {text!r}: {why}", hint=f"e.g. {_EXAMPLES}")


def _number(text: str, whole: str, what: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise _bad(whole, f"{what} {text!r} is not a number from {low} to {high}")
    return int(text)


def _hex_id(text: str, whole: str, what: str) -> int:
    digits = text.lower().removeprefix("0x")
    if not 1 <= len(digits) <= 4 or any(c not in "0123456789abcdef" for c in digits):
        raise _bad(whole, f"{what} {text!r} is not a USB id in hex (1 to 4 digits)")
    return int(digits, 16)


def parse_printer(text: str) -> PrinterSpec | None:
    """The printer a spec names (None for `none` or ""); exit 2 on anything else."""
    value = text.strip()
    if value.lower() in ("", "none"):
        return None
    kind, sep, rest = value.partition(":")
    kind = kind.lower()
    if not sep or kind not in KINDS:
        raise _bad(text, f"it does not start with {', '.join(k + ':' for k in KINDS)} or say none")
    if not rest or not rest.isprintable():
        raise _bad(text, "nothing after the colon")
    if kind == "network":
        if rest.startswith("["):  # an IPv6 address in brackets, then maybe :PORT
            host, _, tail = rest[1:].partition("]")
            if tail and not tail.startswith(":"):
                raise _bad(text, "a port follows the address after a colon")
            port_text = tail[1:]
        else:
            host, _, port_text = rest.partition(":")
        if not host or any(c.isspace() or c in "/@" for c in host):
            raise _bad(text, f"{host!r} is not a host name or address")
        port = _number(port_text, text, "port", 1, 65535) if port_text else NETWORK_PORT
        return PrinterSpec("network", host=host, port=port)
    if kind == "usb":
        parts = rest.split(":")
        if len(parts) != 2:
            raise _bad(text, "a USB printer is usb:VENDOR:PRODUCT")
        return PrinterSpec("usb", vendor_id=_hex_id(parts[0], text, "vendor"),
                           product_id=_hex_id(parts[1], text, "product"))
    if kind == "serial":
        device, _, baud_text = rest.rpartition(":")
        if not device or not baud_text.isdigit():  # no baud given (or a device name with a colon: COM3)
            device, baud_text = rest, ""
        baud = _number(baud_text, text, "baud rate", 300, 921600) if baud_text else SERIAL_BAUD
        return PrinterSpec("serial", device=device, baud=baud)
    return PrinterSpec("file", device=rest)


def check_printer(text: str) -> str | None:
    """The spec as it is stored (None: no printer)."""
    spec = parse_printer(text)
    return None if spec is None else str(spec)


def parse_via(text: str) -> str:
    """`screen,print,email` (any of them, in any order, once each) as it is stored: exit 2 otherwise."""
    ways = [w.strip().lower() for w in text.split(",") if w.strip()]
    wrong = [w for w in ways if w not in WAYS]
    if not ways or wrong:
        raise InvalidInput(f"--receipt-via {text!r}: {'say at least one way' if not ways else repr(wrong[0])} "
                           f"(one or more of {', '.join(WAYS)}, comma-separated)", hint="e.g. screen,print")
    return ",".join(w for w in WAYS if w in ways)
