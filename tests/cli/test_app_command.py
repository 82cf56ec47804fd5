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


def test_serve_runs_the_app_command_on_localhost(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shlex
    import sys

    from textual_serve.server import Server

    served: list[Server] = []
    monkeypatch.setattr(Server, "serve", lambda self, debug=False: served.append(self))
    doc = tmp_path / "doc.txt"
    doc.write_text("# 2022年部门收入预算表\n", encoding="utf-8")
    assert main(["serve", str(doc), "--port", "8123", "--read-only", "--config", "c.toml"]) == 0
    (server,) = served
    assert (server.host, server.port) == ("localhost", 8123)
    command = shlex.split(server.command)
    assert command[:3] == [sys.executable, "-m", "budget_tui"] and command[3] == str(doc)
    assert "--read-only" in command
    assert command[command.index("--config") + 1] == str(Path("c.toml").resolve())
    # The command it serves is the app's own command line: the app parser accepts it.
    from budget_tui.cli import build_app_parser

    args = build_app_parser().parse_args(command[3:])
    assert args.paths == [str(doc)] and args.read_only


def test_serve_without_textual_serve_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails
    assert main(["serve"]) == 2
    assert "pip install 'budget-tui[web]'" in capsys.readouterr().err
