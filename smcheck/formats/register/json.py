"""``status --format json``: one object, the date, the counts and each row as
:func:`smcheck.register.row_json` gives it (``verify --format json`` carries the same row)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from smcheck.formats.register import Listing


def pieces(listing: Listing) -> Iterator[str]:
    """The register as one JSON object, ASCII only: no byte of untrusted text reaches the terminal
    raw."""
    yield text(listing)


def text(listing: Listing) -> str:
    """The register as ``--format json`` writes it."""
    from smcheck.register import row_json

    register, today = listing.register, listing.today

    return (
        json.dumps(
            {
                "date": today.isoformat(),
                "counts": register.counts,
                "rereview": register.rereview,
                # Counted among "invalid" (nobody should act on them) and said apart: folders, not files.
                "folders_not_searched": sum(1 for e in register.rows if e.unsearched),
                "channels": [row_json(e, register.columns) for e in register.rows],
            },
            indent=2,
            ensure_ascii=True,
            default=str,
        )
        + "\n"
    )
