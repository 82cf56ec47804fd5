"""Problems found while reading sources: collected, never fatal unless asked."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a source file, pinned to a line when there is one."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class SourceError(Exception):
    """Raised by strict callers; ``str`` is ``path:line: message``."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Problems:
    """Collector that readers add to and go on."""

    items: list[Problem] = field(default_factory=list)
    strict: bool = False

    def add(self, path: str, line: int | None, message: str) -> None:
        """Record a problem (or raise it when strict)."""
        problem = Problem(path, line, message)
        if self.strict:
            raise SourceError(problem)
        self.items.append(problem)

    def __bool__(self) -> bool:
        return bool(self.items)
