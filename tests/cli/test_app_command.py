"""``budget-tui [PATHS]``: the options reach the app it builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from budget_tui.cli import main


class _App:
    return_code = 0

    def __init__(self, seen: dict[str, Any]) -> None:
        self.seen = seen

    def run(self) -> None:
        self.seen["ran"] = True


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def make_app(paths: list[str], **options: Any) -> _App:
        seen.update(options, paths=paths)
        return _App(seen)

    monkeypatch.setattr("budget_tui.app.make_app", make_app)
    return seen


def test_config_flag_names_the_settings_file(made: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    assert main(["--config", str(config), "--read-only", "--reviewer", "张三"]) == 0
    assert made["ran"] and made["config_path"] == config
    assert made["read_only"] and made["reviewer"] == "张三"


def test_without_config_flag_the_default_file_is_used(made: dict[str, Any]) -> None:
    assert main([]) == 0
    assert made["config_path"] is None  # make_app then reads $BUDGET_TUI_CONFIG or the user config dir
    assert len(made["paths"]) == 1 and Path(made["paths"][0]).is_dir()  # the bundled samples
