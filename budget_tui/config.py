"""The user's settings file: theme and key remapping, read with tomllib, written back with tomlkit."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "BUDGET_TUI_CONFIG"
"""Environment variable naming another config file (tests point it at a temporary folder)."""
DEFAULT_THEME = "textual-dark"
KNOWN_KEYS = ("theme", "keymap")


@dataclass
class Config:
    """Settings from ``config.toml``; ``errors`` holds one line per bad entry (never fatal)."""

    path: Path
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> comma-separated keys (``"form.edit-cell" = "f2"``)."""
    errors: list[str] = field(default_factory=list)


def default_path() -> Path:
    """``$BUDGET_TUI_CONFIG`` if set, else ``<user config dir>/budget-tui/config.toml``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("budget-tui")) / "config.toml"


def load_config(path: Path | None = None, binding_ids: frozenset[str] | None = None) -> Config:
    """Read the config file; a missing file gives the defaults.

    Args:
        path: The file (default: `default_path`).
        binding_ids: Known binding ids; a ``[keymap]`` entry naming another id is an error.

    Returns:
        The settings, with one message per problem in ``errors`` (``path: …``).
    """
    path = path or default_path()
    config = Config(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        config.errors.append(f"{path}: cannot read the config file: {exc}")
        return config
    for key in data:
        if key not in KNOWN_KEYS:
            config.errors.append(f"{path}: unknown setting {key!r} (known: {', '.join(KNOWN_KEYS)})")
    theme = data.get("theme", DEFAULT_THEME)
    if isinstance(theme, str) and theme:
        config.theme = theme
    else:
        config.errors.append(f"{path}: 'theme' must be a theme name")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        config.errors.append(f'{path}: [keymap] must be a table of binding id = "key"')
        return config
    for binding_id, keys in keymap.items():
        if binding_ids is not None and binding_id not in binding_ids:
            config.errors.append(f"{path}: [keymap] unknown binding id {binding_id!r}")
        elif not isinstance(keys, str) or not keys.strip():
            config.errors.append(f'{path}: [keymap] {binding_id!r} must be a key such as "f2" or "ctrl+e"')
        else:
            config.keymap[binding_id] = keys.strip()
    return config


def save_theme(path: Path, theme: str) -> None:
    """Write the theme choice back, keeping the file's comments and other settings.

    Raises:
        OSError: the file cannot be written.
    """
    import tomlkit

    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        doc = tomlkit.document()
    except (UnicodeDecodeError, tomlkit.exceptions.ParseError):
        # A broken file is the user's to fix; the theme is not worth overwriting it for.
        return
    doc["theme"] = theme
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)
