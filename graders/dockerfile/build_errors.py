"""A teacher's reading of a failed build: `explain_build_failure(log, dockerfile)`.

`log` is the build output as `backends/sdk.py` keeps it: the classic builder's `stream` text
(`Step N/M : ...` lines and the steps' output), then the error line; or only the daemon's
explanation when it refused to parse the Dockerfile. The texts matched here were measured on
Docker 20.10 (tests/unit/fixtures/build_logs/). The answer is a short pt/en explanation and the
Dockerfile line it points to.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from graders.dockerfile.apt_sources import explain_missing_release
from graders.dockerfile.model import Dockerfile, Instruction
from graders.dockerfile.parser import KEYWORDS
from graders.dockerfile.refs import copy_from_target
from graders.i18n import Text

ANSI = re.compile(r"\x1b\[[0-9;]*m")
STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$", re.M)
NOISE = re.compile(r"^( ---> |Removing intermediate container |Successfully )")
UNREACHABLE = re.compile(
    r"no such host|connection refused|i/o timeout|dial tcp|TLS handshake|Client\.Timeout|"
    r"network is unreachable|server misbehaving"
)
GO_ERROR = re.compile(r"^(\.?/?[\w./-]+\.go):(\d+):(?:\d+:)? (.+)$", re.M)
RUN_FAILED = re.compile(
    r"The command '(.*)' returned a non-zero code: (\d+)|"
    r'process "(.*)" did not complete successfully: exit code: (\d+)'
)


@dataclass(frozen=True)
class _Failure:
    error: str
    """The last line of the log: the builder's error message."""
    step: str
    """The failing step's text (`COPY app.py /app/`), or empty."""
    instr: Instruction | None
    output: list[str]
    """What the failing step printed, without the builder's own lines."""
    df: Dockerfile | None


def explain_build_failure(log: str, dockerfile: Dockerfile | None) -> tuple[Text, int | None]:
    """Why the build failed, in pt and en, and the Dockerfile line to look at (if known)."""
    failure = _read(ANSI.sub("", log), dockerfile)
    for explain in (_parse_error, _copy_from, _base_image, _copy_failed, _run_failed):
        found = explain(failure)
        if found is not None:
            return found
    line = failure.instr.line if failure.instr else None
    reason = Text.same(f": {failure.error}") if failure.error else Text.same(".")
    return Text("O build falhou", "The build failed") + _at(line) + reason, line


def _read(log: str, df: Dockerfile | None) -> _Failure:
    lines = [line for line in log.splitlines() if line.strip()]
    error = lines[-1].strip() if lines else ""
    steps = list(STEP.finditer(log))
    if not steps:
        return _Failure(error, "", None, [], df)
    last = steps[-1]
    output = [
        line.rstrip()
        for line in log[last.end() :].splitlines()
        if line.strip() and not NOISE.match(line) and line.strip() != error
    ]
    instr = _instruction(df, int(last.group(1)), int(last.group(2)), last.group(3))
    return _Failure(error, last.group(3).strip(), instr, output, df)


def _instruction(df: Dockerfile | None, n: int, total: int, text: str) -> Instruction | None:
    """The instruction of step n/total: the classic builder numbers every instruction."""
    if df is None:
        return None
    words = text.split()
    keyword = words[0].upper() if words else ""
    if (
        total == len(df.instructions)
        and 0 < n <= total
        and df.instructions[n - 1].keyword == keyword
    ):
        return df.instructions[n - 1]
    flat = " ".join(words).lower()
    for instr in df.instructions:
        if instr.keyword == keyword and flat.endswith(" ".join(instr.value.split()).lower()):
            return instr
    return None


NO_INSTRUCTIONS = Text(
    "O Dockerfile ainda não tem instruções (só comentários ou linhas vazias). "
    "Comece pelo FROM, por exemplo FROM debian:12, e escreva as instruções abaixo dele.",
    "The Dockerfile has no instructions yet (only comments or blank lines). "
    "Start with FROM, for example FROM debian:12, and write the instructions below it.")


def _at(line: int | None) -> Text:
    return Text(" (linha {n})", " (line {n})").format(n=line) if line else Text.same("")


def _parse_error(f: _Failure) -> tuple[Text, int | None] | None:
    match = re.search(r"(?i)dockerfile parse error line (\d+): (.*)", f.error)
    other = re.search(r"failed to parse Dockerfile: (.*)", f.error)
    if match is None and other is None:
        return None
    line = int(match.group(1)) if match else None
    message = match.group(2) if match else other.group(1) if other else ""
    if line is None and f.df is not None:
        line = next((p.line for p in f.df.problems if p.message in message), None)
    if "file with no instructions" in message:
        return NO_INSTRUCTIONS, None
    unknown = re.match(r"unknown instruction: (\S+)", message)
    if unknown is None:
        return Text(
            "O Dockerfile tem um erro de sintaxe", "The Dockerfile has a syntax error"
        ) + _at(line) + Text.same(f": {message}"), line
    word = unknown.group(1)
    if f.df is not None and line is not None:
        heredoc = next(
            (i for i in f.df.instructions if i.heredocs and i.line < line <= i.end_line), None
        )
        if heredoc is not None:
            return Text(
                "A linha {n} faz parte do heredoc (<<) da linha {h}, mas este Docker (builder "
                "clássico, sem BuildKit) não conhece heredocs e a leu como a instrução {w}. "
                "Escreva os comandos num RUN com && e \\ no fim das linhas.",
                "Line {n} belongs to the heredoc (<<) at line {h}, but this Docker (the classic "
                "builder, no BuildKit) does not know heredocs and read it as instruction {w}. "
                "Write the commands in one RUN with && and a \\ at the end of each line.",
            ).format(n=line, h=heredoc.line, w=word), heredoc.line
    glued = next((k for k in KEYWORDS if word.startswith(k) and word[len(k) :][:1] in "[\"'"), None)
    if glued:
        hint = Text(
            " Falta um espaço entre {k} e os argumentos.", " A space is missing after {k}."
        ).format(k=glued)
    elif close := difflib.get_close_matches(word, sorted(KEYWORDS), n=1, cutoff=0.6):
        hint = Text(" Você quis dizer {k}?", " Did you mean {k}?").format(k=close[0])
    else:
        hint = Text(
            " Se ela continua a linha anterior, termine aquela linha com \\.",
            " If it continues the line before, end that line with \\.",
        )
    return Text.same(word) + _at(line) + Text(
        " não é uma instrução do Dockerfile.", " is not a Dockerfile instruction."
    ) + hint, line


def _copy_from(f: _Failure) -> tuple[Text, int | None] | None:
    match = re.search(r"invalid from flag value (.+?): (.*)$", f.error)
    if match is None:
        return None
    value, reason = match.groups()
    instr = f.instr
    if f.df is not None:
        instr = next((i for i in f.df.find("COPY") if i.flags.get("from") == value), instr)
    line = instr.line if instr else None
    head = Text.same(f"COPY --from={value}") + _at(line) + Text.same(": ")
    if "current build stage" in reason:
        return head + Text(
            "aponta para o próprio estágio; use um estágio anterior.",
            "points to its own stage; use an earlier stage.",
        ), line
    if "index out of bounds" in reason:
        return head + Text(
            "não há estágio {v} antes desta linha (os índices começam em 0).",
            "there is no stage {v} before this line (indexes start at 0).",
        ).format(v=value), line
    target = copy_from_target(instr, f.df) if instr is not None and f.df is not None else None
    if any(ch in value for ch in ":/@") and (target is None or target.problem is None):
        return head + Text(
            "a imagem {v} não pôde ser obtida ({r}).", "the image {v} could not be pulled ({r})."
        ).format(v=value, r=reason), line
    text = head + Text(
        "não existe estágio {v} antes desta linha, então o Docker tentou baixar uma imagem {v} "
        "e falhou.",
        "there is no stage {v} before this line, so Docker tried to pull an image named {v} "
        "and failed.",
    ).format(v=value)
    if target is not None and target.suggestion:
        text += Text(" Você quis dizer {s}?", " Did you mean {s}?").format(s=target.suggestion)
    return text, line


def _base_image(f: _Failure) -> tuple[Text, int | None] | None:
    if not f.step.upper().startswith("FROM"):
        return None
    line = f.instr.line if f.instr else None
    stage = next((s for s in f.df.stages if s.line == line), None) if f.df else None
    image = stage.base if stage else (f.step.split()[1] if len(f.step.split()) > 1 else "")
    if "should not be blank" in f.error:
        return Text.same("FROM") + _at(line) + Text(
            " ficou sem imagem: o ARG usado nele não tem valor. Dê um valor padrão "
            "(ARG NOME=debian) ou passe --build-arg.",
            " names no image: the ARG it uses has no value. Give it a default "
            "(ARG NAME=debian) or pass --build-arg.",
        ), line
    if "invalid reference format" in f.error:
        return Text.same(image) + _at(line) + Text(
            " não é um nome de imagem válido ({e}); use minúsculas, como debian:12.",
            " is not a valid image name ({e}); use lower case, like debian:12.",
        ).format(e=f.error), line
    head = Text("A imagem base ", "The base image ") + Text.same(image) + _at(line)
    if UNREACHABLE.search(f.error):
        return head + Text(
            " não está nesta máquina e o registry não respondeu. Confira o nome e a tag no FROM; "
            "sem rede, só dá para usar imagens que já estão na máquina.",
            " is not on this machine and its registry did not answer. Check the name and tag in "
            "FROM; without network only the images already on the machine can be used.",
        ), line
    return head + Text(
        " não existe (ou é privada): confira o nome e a tag no FROM ({e}).",
        " does not exist (or is private): check the name and tag in FROM ({e}).",
    ).format(e=f.error), line


def _copy_failed(f: _Failure) -> tuple[Text, int | None] | None:
    match = re.search(r"(COPY|ADD) failed: (.*)$", f.error)
    if match is None:
        return None
    keyword, reason = match.groups()
    line = f.instr.line if f.instr else None
    head = Text.same(keyword) + _at(line) + Text.same(": ")
    missing = re.search(
        r"file not found in build context.*?: stat (.+?): file does not exist", reason
    )
    if missing:
        return head + Text(
            "{s} não está no contexto do build (a pasta da entrega) ou foi excluído pelo "
            ".dockerignore. O caminho é relativo à pasta do Dockerfile.",
            "{s} is not in the build context (the submission folder) or is excluded by "
            ".dockerignore. The path is relative to the Dockerfile's folder.",
        ).format(s=missing.group(1)), line
    outside = re.search(r"forbidden path outside the build context: (.+?) \(", reason)
    if outside:
        return head + Text(
            "{s} está fora do contexto do build; o Docker só enxerga arquivos dentro da pasta "
            "da entrega. Mova o arquivo para dentro dela.",
            "{s} is outside the build context; Docker only sees files inside the submission "
            "folder. Move the file into it.",
        ).format(s=outside.group(1)), line
    return head + Text.same(reason), line


def _run_failed(f: _Failure) -> tuple[Text, int | None] | None:
    match = RUN_FAILED.search(f.error)
    if match is None:
        return None
    command = (match.group(1) or match.group(3) or "").removeprefix("/bin/sh -c ")
    code = match.group(2) or match.group(4)
    line = f.instr.line if f.instr else None
    text = Text(
        f"O RUN{f' da linha {line}' if line else ''} falhou com código de saída {code}: {command}",
        f"The RUN{f' at line {line}' if line else ''} failed with exit code {code}: {command}",
    )
    output = "\n".join(f.output)
    go = GO_ERROR.search(output)
    package = re.search(r"Unable to locate package (\S+)", output)
    release = explain_missing_release(output)
    if go:
        text += Text(
            "\nErro de compilação Go em {f}:{n}: {m}", "\nGo compile error at {f}:{n}: {m}"
        ).format(f=go.group(1).removeprefix("./"), n=go.group(2), m=go.group(3))
    elif release is not None:  # before `package`: a failed update leaves every package unknown
        text += release
    elif package:
        text += Text(
            "\nO apt-get não encontrou o pacote {p}: confira o nome e rode apt-get update no "
            "mesmo RUN, antes do apt-get install.",
            "\napt-get cannot find package {p}: check its name, and run apt-get update in the "
            "same RUN, before apt-get install.",
        ).format(p=package.group(1))
    elif missing := re.search(r"(?<![\w.+-])([\w.+-]{1,200}): (?:command )?not found", output):
        text += Text(
            "\nO comando {c} não existe na imagem: instale-o antes ou use outra imagem base.",
            "\nCommand {c} does not exist in the image: install it first or use another base "
            "image.",
        ).format(c=missing.group(1))
    if f.output:
        tail = "\n".join(f.output[-5:])
        text += Text("\nÚltimas linhas:\n", "\nLast lines:\n") + Text.same(tail)
    return text, line
