"""PINs: salted scrypt hashes compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from salon_cli.core.errors import InvalidInput

# Cost parameters are stored with each hash, so they can be raised later without breaking old PINs.
_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^\d{4,12}$")


def check_pin_format(pin: str) -> str:
    if not _PIN.match(pin or ""):
        raise InvalidInput("a PIN is 4 to 12 digits")
    return pin


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    candidate = hashlib.scrypt(
        (pin or "").encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(candidate, expected)
