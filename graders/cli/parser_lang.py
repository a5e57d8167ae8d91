"""argparse in the user's language: its errors (a missing argument, a wrong choice) in pt too,
each followed by the `--help` that says how to use the command.

argparse's messages come from the `argparse` gettext domain, which Python ships untranslated;
rather than a compiled catalog, the few a user meets are translated here from the English text.
The help pages stay English (they are the reference the docs quote).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from graders.i18n import Lang, Text

ERROR = Text("erro", "error")
USAGE = Text("uso: ", "usage: ")
HELP_HINT = Text("Veja como usar com `{prog} --help`.", "See how to use it with `{prog} --help`.")

PT_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"faltam os argumentos: \1"),
    (r"unrecognized arguments: (.*)", r"argumentos desconhecidos: \1"),
    (r"ambiguous option: (.*) could match (.*)", r"opção ambígua: \1 pode ser \2"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"escolha inválida: \1 (escolha entre \2)"),
    (r"invalid (\S+) value: (.*)", r"valor inválido (\1): \2"),
    (r"expected one argument", r"falta o valor"),
    (r"expected at most one argument", r"aceita no máximo um valor"),
    (r"expected at least one argument", r"falta pelo menos um valor"),
    (r"not allowed with argument (.*)", r"não pode ser usado com \1"),
    (r"ignored explicit argument (.*)", r"não aceita valor: \1"),
    (r"(.*) is not a registry address: give HOST\[:PORT\], e\.g\. (.*)",
     r"\1 não é um endereço de registry: use HOST[:PORTA], por exemplo \2"),
)


def translated(message: str, lang: Lang) -> str:
    """argparse's `message` in `lang` (unchanged when English or not one we know)."""
    if lang == "en":
        return message
    prefix = ""
    if m := re.fullmatch(r"argument (.+?): (.*)", message, re.S):
        prefix, message = f"argumento {m[1]}: ", m[2]
    for pattern, pt in PT_MESSAGES:
        if re.fullmatch(pattern, message, re.S):
            return prefix + re.sub(pattern, pt, message, flags=re.S)
    return prefix + message


def argv_lang(argv: Sequence[str]) -> Lang | None:
    """The `--lang` of a command line not parsed yet (its errors need a language too)."""
    for i, arg in enumerate(argv):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in ("pt", "en"):
            return "pt" if value == "pt" else "en"
    return None


class LocalParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are in `lang`; its subcommands' parsers are too."""

    def __init__(self, *args: Any, lang: Lang = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang: Lang = lang

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", lambda **kw: LocalParser(lang=self.lang, **kw))
        return super().add_subparsers(**kwargs)

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        formatter.add_usage(self.usage, self._actions, self._mutually_exclusive_groups,
                            USAGE(self.lang))
        return formatter.format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        hint = HELP_HINT.format(prog=self.prog)(self.lang)
        self.exit(2, f"{self.prog}: {ERROR(self.lang)}: {translated(message, self.lang)}\n"
                     f"{hint}\n")
