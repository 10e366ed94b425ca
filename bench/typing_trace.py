"""Typing traces: a region of a real source file typed again, key by key, with a person's pauses.

A trace starts from the file with the region removed and inserts it back one keystroke at a time. Enter
inserts the newline together with the next line's indentation (what an editor's auto-indent does), every
other key one character. Pauses are drawn from a seeded generator: 80–200 ms between keys, a longer
pause at each line end (reading the suggestion, thinking) and a shorter one after Enter.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

KEY_PAUSE_S = (0.08, 0.20)
LINE_END_PAUSE_S = (1.0, 3.0)
AFTER_ENTER_PAUSE_S = (0.2, 0.6)
# Where to start typing: the first definition at or after this fraction of the file, so the model has
# real code above and below the cursor.
START_AT = 0.45
DEFINITION = re.compile(r"^\s*(def |class |async def |public function |private function |protected function )")


@dataclass(frozen=True)
class Keystroke:
    at_s: float  # seconds from the start of the replay
    offset: int  # where the text goes, in characters of the document before this key
    text: str


@dataclass(frozen=True)
class Trace:
    name: str
    language_id: str
    initial: str  # the document before the first key
    keys: tuple[Keystroke, ...]

    def documents(self) -> list[tuple[str, int]]:
        """The document and the cursor offset after each key."""
        text, states = self.initial, []
        for key in self.keys:
            text = text[: key.offset] + key.text + text[key.offset :]
            states.append((text, key.offset + len(key.text)))
        return states

    @property
    def duration_s(self) -> float:
        return self.keys[-1].at_s if self.keys else 0.0


def language_of(path: Path) -> str:
    return {".py": "python", ".php": "php", ".ts": "typescript", ".js": "javascript"}.get(path.suffix, "plaintext")


def region_start(lines: list[str], start_at: float = START_AT) -> int:
    """Index of the line where typing begins: the first definition at or after `start_at` of the file."""
    first = int(len(lines) * start_at)
    for index in range(first, len(lines)):
        if DEFINITION.match(lines[index]):
            return index
    return first


def keystrokes_for(region: str) -> list[str]:
    """The keys that type `region`: one per character, Enter carrying the next line's indentation."""
    keys: list[str] = []
    lines = region.split("\n")
    for number, line in enumerate(lines):
        body = line.lstrip(" \t") if number else line
        keys.extend(body)
        if number + 1 < len(lines):
            following = lines[number + 1]
            keys.append("\n" + following[: len(following) - len(following.lstrip(" \t"))])
    return keys


def build_trace(path: Path, max_keys: int = 300, seed: int = 0, name: str | None = None) -> Trace:
    """Type up to `max_keys` keys of `path` starting at a definition in its second half."""
    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    first = region_start(lines)
    indent = len(lines[first]) - len(lines[first].lstrip(" \t"))  # the editor is already indented there
    start = sum(len(line) + 1 for line in lines[:first]) + indent
    keys = keystrokes_for(source[start:])
    # End at a line end, so the cursor never has the rest of a half-typed line after it.
    ends = [k for k in range(1, len(keys)) if keys[k].startswith("\n")] or [len(keys)]
    keys = keys[: max([k for k in ends if k <= max_keys], default=ends[0])]
    typed = "".join(keys)
    end = start + len(typed)
    assert source[start:end] == typed, "keystrokes must rebuild the region"
    rng = random.Random(f"{seed}:{path.name}")
    at, offset, strokes = 0.0, start, []
    for index, text in enumerate(keys):
        strokes.append(Keystroke(round(at, 4), offset, text))
        offset += len(text)
        following = keys[index + 1] if index + 1 < len(keys) else ""
        if following.startswith("\n"):
            at += rng.uniform(*LINE_END_PAUSE_S)
        elif text.startswith("\n"):
            at += rng.uniform(*AFTER_ENTER_PAUSE_S)
        else:
            at += rng.uniform(*KEY_PAUSE_S)
    initial = source[:start] + source[end:]
    return Trace(name or path.name, language_of(path), initial, tuple(strokes))
