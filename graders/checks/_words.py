"""Expected/actual values that are words, shared by several checks, in both languages."""

from __future__ import annotations

from graders.i18n import Text

NO_OUTPUT = Text("(nenhuma saída)", "(no output)")
NONE = Text("(nenhum)", "(none)")


def stopped_text(exit_code: object) -> Text:
    """A container that is not running, with its exit code."""
    return Text(f"contêiner parado (código de saída {exit_code})",
                f"container stopped (exit code {exit_code})")


def answer_text(status: int, body: str) -> Text:
    """An HTTP answer: its status and (the start of) its body, quoted."""
    return Text(f"HTTP {status}, corpo: {body!r}", f"HTTP {status}, body: {body!r}")


def exit_text(code: object) -> Text:
    return Text(f"código de saída {code}", f"exit code {code}")


STATES_PT = {"created": "criado", "exited": "encerrado", "dead": "morto", "paused": "pausado",
             "restarting": "reiniciando", "removing": "sendo removido", "running": "rodando"}


def state_text(status: str) -> Text:
    """Docker's state word (`created`, `exited`) in both languages."""
    return Text(STATES_PT.get(status, status), status)


KIND_PT = {
    "file": "arquivo",
    "directory": "diretório",
    "symlink": "link simbólico",
    "other": "outro",
}


def kind_text(kind: str) -> Text:
    """A path's kind in words: `directory` -> diretório / directory."""
    return Text(KIND_PT.get(kind, kind), kind)
