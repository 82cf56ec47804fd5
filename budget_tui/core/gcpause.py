"""Pausing the cyclic garbage collector around allocation-heavy work that creates no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (as it was afterwards).

    Parsing a document allocates tens of thousands of objects and frees almost none, so the
    collections those allocations trigger find nothing: up to a third of a large document's
    parse (the checks, which free as they go, gained nothing from it). Reference counting
    still frees everything as usual; a cycle made meanwhile waits for a full collection.

    On the way out what the block made moves straight to the oldest generation (freezing
    and thawing at once), unless something else keeps objects frozen: otherwise the young,
    then the middle collection would traverse all of it right after, on whichever thread
    allocates next (0.1 s or more for a 20,000-row form). Only a full collection, which
    runs rarely, traverses it then. When threads overlap, the first to finish turns the
    collector back on, never later than the outermost caller.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # never thaw what a caller froze (before a fork …)
                gc.freeze()
                gc.unfreeze()
            gc.enable()
