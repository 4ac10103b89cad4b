"""Secrets kept out of what salon prints and stores: a database URL is shown without its password."""

from __future__ import annotations

import re

# `scheme://user:password@host` (or `user:password@host` typed without a scheme), and `?password=...`
_USERINFO = re.compile(r"^([^:/@\s]*):[^@]*@")
_QUERY = re.compile(r"([?&](?:password|passwd|pass)=)[^&#\s]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """'postgresql://bob:s3cret@db/salon' -> 'postgresql://bob:***@db/salon'; a URL without one as it is."""
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    return scheme + sep + _QUERY.sub(r"\1***", _USERINFO.sub(r"\1:***@", rest))
