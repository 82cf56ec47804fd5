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

    def __init__(self, *, held: bool = False) -> None:
        """Create the footer.

        Args:
            held: Draw no keys until `release` (the screen is not shown yet: building the keys
                then would only compete with what it is waiting for).
        """
        super().__init__()
        self._held = held
        self._changed: Screen[object] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild (as `Footer` does) only if the shown keys differ from the last rebuild's."""
        if self._held:
            self._changed = screen
            return
        shown = shown_keys(screen)
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def release(self) -> None:
        """Show the keys (after the next refresh), as they are now."""
        self._held = False
        # From the footer's own message loop: the keys it makes bind their data to it.
        self.call_later(self._show_changed)

    def _show_changed(self) -> None:
        if self._changed is not None:
            screen, self._changed = self._changed, None
            self.bindings_changed(screen)
