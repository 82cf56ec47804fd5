"""`KeyFooter`: Textual's footer, rebuilt only when the keys it shows actually change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, str, bool, str], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """What the footer draws for a screen's active bindings: key, action, label, enabled, tooltip."""
    return tuple(
        (binding.key, binding.action, binding.description, enabled, tooltip)
        for _, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """A `Footer` that skips its rebuild when a bindings change leaves the keys as they were.

    The stock footer recomposes (a widget per key, each restyled) on every change of focus or
    of the bindings, which at startup alone happens several times with the same result.
    """

    _shown: Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild (as `Footer` does) only if the shown keys differ from the last rebuild's."""
        shown = shown_keys(screen)
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)
