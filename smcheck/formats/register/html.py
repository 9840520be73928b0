"""``status --format html``: the register as one self-contained page
(:func:`smcheck.htmlpage.register_page`, which the export's page shares its style with)."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck.formats.register import Listing


def pieces(listing: Listing) -> Iterator[str]:
    """The page, in one piece."""
    from smcheck.htmlpage import register_page

    register = listing.register
    yield register_page(
        list(register.rows), register.columns, register.counts, listing.today, scope=listing.scope
    )
