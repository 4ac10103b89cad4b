"""Receipts on an ESC/POS printer, through python-escpos.

`render(printer, rows)` draws the rows of `text` on any python-escpos printer object (a real one, or
`escpos.printer.Dummy` whose `.output` tests read): ESC @ to start clean, the salon's name centred in
bold and double height, the total in bold, then a feed and the cut. python-escpos picks the code page
of each character (Spanish letters, €) and says so to the printer in the bytes.

A receipt is drawn on a Dummy first (`to_bytes`) and those bytes go to the location's printer in one
write (`send`), so a printer never gets half a receipt because drawing failed, and a file printer
holds exactly what a test expects. The printer comes from `policy.receipt_printer`
(`services/salon/policy_receipts.py`): a printer that cannot be reached (refused, timed out, no such
device, the USB or serial library missing) is `OutsideServiceFailed` (exit 5) and nothing is recorded
as printed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy

from sqlmodel import Session

from salon_cli.core.errors import OutsideServiceFailed, RuleViolation
from salon_cli.services.receipts.text import Row
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy_receipts import PrinterSpec, parse_printer

TIMEOUT_S = 5.0
NO_PRINTER_HINT = "set one: salon policy set --receipt-printer network:HOST[:PORT] (or usb:, serial:, file:)"


def render(printer: Any, rows: Sequence[Row], *, cut: bool = True) -> None:
    """Draw `rows` on a python-escpos printer object, then feed and cut."""
    printer.hw("INIT")
    for row in rows:
        if row.style == "title":
            printer.set(align="center", bold=True, double_height=True)
            printer.textln(row.text)
            printer.set(align="left", bold=False, normal_textsize=True)
        elif row.style == "center":
            printer.set(align="center")
            printer.textln(row.text)
            printer.set(align="left")
        elif row.style == "bold":
            printer.set(bold=True)
            printer.textln(row.text)
            printer.set(bold=False)
        else:
            printer.textln(row.text)
    if cut:
        printer.cut()


def to_bytes(rows: Sequence[Row]) -> bytes:
    """The bytes a printer gets for `rows` (drawn on python-escpos's Dummy printer)."""
    dummy = Dummy()
    render(dummy, rows)
    return dummy.output


def printer_of(spec_text: str | None) -> PrinterSpec:
    """The location's printer, or a refusal (exit 1) saying how to set one."""
    spec = parse_printer(spec_text or "")
    if spec is None:
        raise RuleViolation("this location has no receipt printer", hint=NO_PRINTER_HINT)
    return spec


def _device(spec: PrinterSpec, timeout: float) -> Any:
    from escpos import printer as devices

    if spec.kind == "network":
        return devices.Network(spec.host, port=spec.port, timeout=timeout)
    if spec.kind == "file":
        return devices.File(devfile=spec.device)
    needs = {"usb": ("Usb", "pyusb"), "serial": ("Serial", "pyserial")}[spec.kind]
    kind = getattr(devices, needs[0])
    if not kind.is_usable():
        raise OutsideServiceFailed(f"the receipt printer {spec} cannot be reached: {needs[1]} is not installed; "
                                   "nothing was printed", hint=f"pip install {needs[1]}, or use a network: printer")
    if spec.kind == "usb":
        return kind(spec.vendor_id, spec.product_id, timeout=int(timeout * 1000))
    return kind(devfile=spec.device, baudrate=spec.baud, timeout=timeout)


def _check_file(spec: PrinterSpec, protected: Sequence[Path]) -> None:
    """A `file:` printer never writes over the salon's database (or its -wal/-shm files)."""
    if spec.kind != "file" or spec.device is None:
        return
    target = os.path.realpath(spec.device)
    for path in protected:
        if target == os.path.realpath(path):
            raise RuleViolation(f"the receipt printer {spec} is the salon's database; nothing was printed",
                                hint="name the printer's device: salon policy set --receipt-printer file:/dev/usb/lp0")


def _why(exc: BaseException) -> str:
    """What went wrong, in one line: the operating system's words where python-escpos wraps them."""
    inner = exc.__cause__ or exc.__context__
    if isinstance(exc, EscposError) and isinstance(inner, OSError):
        exc = inner
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def send(spec: PrinterSpec, payload: bytes, *, protected: Sequence[Path] = (), timeout: float = TIMEOUT_S) -> None:
    """Write `payload` to the printer in one go; `OutsideServiceFailed` (exit 5) if it cannot be reached."""
    _check_file(spec, protected)
    device = _device(spec, timeout)
    try:
        device.open()
        device._raw(payload)  # noqa: SLF001 - python-escpos's one way to hand a printer ready bytes
    except (EscposError, OSError) as exc:
        why = _why(exc)
        raise OutsideServiceFailed(f"the receipt printer {spec} cannot be reached ({why}); nothing was printed",
                                   hint="check that it is on and connected; see: salon policy show") from None
    finally:
        try:
            device.close()
        except (EscposError, OSError):
            pass


def record_printed(session: Session, *, actor: Actor, location: LocationView, entity: str, entity_id: int | None,
                   printer: str, size: int, action: str = "receipt.printed", **facts: object) -> None:
    """The audit row of a print, written once the printer took the bytes."""
    audit.record(session, actor=actor, action=action, entity=entity, entity_id=entity_id, location_id=location.id,
                 after={**facts, "printer": printer, "bytes": size})
