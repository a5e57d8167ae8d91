"""Bilingual text: every message a student sees exists in Portuguese and English."""

from __future__ import annotations

import locale
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Lang = Literal["pt", "en"]
LANGS: tuple[Lang, ...] = ("pt", "en")


@dataclass(frozen=True)
class Text:
    """One message in both languages. Format placeholders are filled in both at once."""

    pt: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.pt if lang == "pt" else self.en

    def format(self, **values: Any) -> Text:
        return Text(self.pt.format(**values), self.en.format(**values))

    def __add__(self, other: Text) -> Text:
        return Text(self.pt + other.pt, self.en + other.en)

    def to_dict(self) -> dict[str, str]:
        return {"pt": self.pt, "en": self.en}

    @classmethod
    def same(cls, text: str) -> Text:
        """A text that reads the same in both languages (a value, a path, a command)."""
        return cls(text, text)

    def join(self, texts: Iterable[Text]) -> Text:
        """`texts` with this text between them, in both languages, like `str.join`."""
        items = list(texts)
        return Text(self.pt.join(t.pt for t in items), self.en.join(t.en for t in items))

    @classmethod
    def from_yaml(cls, value: object) -> Text | None:
        """Accept `{pt: ..., en: ...}` or a plain string used for both languages."""
        if value is None:
            return None
        if isinstance(value, str):
            return cls.same(value)
        if isinstance(value, Mapping) and set(value) <= {"pt", "en"} and value:
            pt = value.get("pt", value.get("en"))
            en = value.get("en", value.get("pt"))
            if isinstance(pt, str) and isinstance(en, str):
                return cls(pt, en)
        raise ValueError("expected a string or a mapping with 'pt' and 'en' strings")


Shown = str | Text
"""An expected or actual value: a `Text` when it is words, a plain `str` when it is a literal
(a path, a port, a Dockerfile line) that reads the same in both languages."""


def in_lang(value: Shown, lang: Lang) -> str:
    """`value` as shown in `lang`."""
    return value(lang) if isinstance(value, Text) else value


def join_shown(sep: str, values: Iterable[Shown]) -> Shown:
    """`values` joined by `sep`: a plain `str` while they all are, else a `Text`."""
    items = list(values)
    if all(isinstance(v, str) for v in items):
        return sep.join(v for v in items if isinstance(v, str))
    return Text.same(sep).join(v if isinstance(v, Text) else Text.same(v) for v in items)


def default_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """`pt` when LANGUAGE, LC_ALL, LC_MESSAGES or LANG say Portuguese, else `en`."""
    env = os.environ if environ is None else environ
    for var in ("LABGRADE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "pt" if value.lower().startswith("pt") else "en"
    loc = locale.getlocale()[0] or ""
    return "pt" if loc.lower().startswith("pt") else "en"


def shown(name: str, limit: int = 300) -> str:
    """A name from the submission made safe for every message, file and database: bytes that
    are not UTF-8 (surrogates) and control characters become `\\xNN` escapes, and it is cut
    at `limit` characters. Applied where a name enters a message, once."""
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF or not ch.isprintable():
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tagged(text: str) -> Text:
    """An instructor's docstring or assertion message as pt and en: lines that start with
    `pt:` and `en:` give each language its own text; otherwise the first line serves both."""
    lines = [line.strip() for line in text.strip().splitlines()]
    langs = {line[:3]: line[3:].strip() for line in lines if line[:3] in ("pt:", "en:")}
    if "pt:" in langs and "en:" in langs:
        return Text(langs["pt:"], langs["en:"])
    return Text.same(lines[0] if lines else "")
