"""The student README of a Classroom template repository: the task in Portuguese and English.

Built from lab.yaml only: the title, the description and the visible checks' titles and points.
Hidden checks show as a count and their points, never their titles.
"""

from __future__ import annotations

import shlex

from graders.checks.base import Need
from graders.i18n import Lang, Text
from graders.reporters.base import fmt_points
from graders.spec import Lab

T = {
    "task": Text("Tarefa", "Task"),
    "checked": Text("O que será verificado", "What is checked"),
    "points": Text("pontos", "points"),
    "hidden": Text(
        "… e {n} verificação(ões) oculta(s), valendo {p} pontos, que só aparecem na nota.",
        "… and {n} hidden check(s), worth {p} points, shown only as points in your grade.",
    ),
    "hidden_later": Text(
        "… e {n} verificação(ões) oculta(s), valendo {p} pontos, que o professor corrige depois "
        "(não entram na nota mostrada aqui).",
        "… and {n} hidden check(s), worth {p} points, graded later by your instructor (not in "
        "the grade shown here).",
    ),
    "classroom_points": Text(
        "O GitHub Classroom mostra a sua nota de 0 a {shown} (`Points X/{shown}`: as verificações "
        "acima). As ocultas ({n}, {p} pontos) são corrigidas depois pelo professor: a atividade "
        "inteira vale {total} pontos.",
        "GitHub Classroom shows your grade out of {shown} (`Points X/{shown}`: the checks above). "
        "The hidden ones ({n}, {p} points) are graded later by your instructor: the whole "
        "assignment is worth {total} points.",
    ),
    "live": Text(
        "Extras, só na sua máquina com `--live` (não contam na nota):",
        "Extras, only on your machine with `--live` (not part of the grade):",
    ),
    "self": Text("Confira antes de enviar", "Check before you push"),
    "self_intro": Text(
        "Com Docker e Python 3.10+ na sua máquina:",
        "With Docker and Python 3.10+ on your machine:",
    ),
    "watch": Text(
        "`--watch` corrige de novo cada vez que você salva um arquivo; `--lang en` muda o idioma.",
        "`--watch` grades again each time you save a file; `--lang pt` switches the language.",
    ),
    "no_self": Text(
        "Esta atividade não tem verificação local: envie (push) e leia o resultado no GitHub.",
        "This assignment has no local check: push and read the result on GitHub.",
    ),
    "grading": Text("Como a nota é dada", "How you are graded"),
    "grading_text": Text(
        "Cada push roda o workflow *Autograding Tests* (aba Actions): ele constrói a sua imagem, "
        "executa as verificações e envia os pontos ao GitHub Classroom. O resumo da execução "
        "mostra cada verificação e o que corrigir; as linhas do Dockerfile com problema recebem "
        "anotações. Não altere `.github/` nem `.labgrade/`.",
        "Every push runs the *Autograding Tests* workflow (Actions tab): it builds your image, "
        "runs the checks and sends the points to GitHub Classroom. The run's summary shows each "
        "check and what to fix; the Dockerfile lines at fault get annotations. Do not change "
        "`.github/` or `.labgrade/`.",
    ),
}


def _section(lab: Lab, lang: Lang, self_check: bool, labs_dir: str, install: str,
             hidden_in_grade: bool) -> list[str]:
    out = [f"## {T['task'](lang)}", "", lab.description(lang).strip() or lab.title(lang), ""]
    graded = [c for c in lab.checks if not c.hidden and c.need is not Need.LIVE]
    hidden = [c for c in lab.checks if c.hidden and c.need is not Need.LIVE]
    hidden_points = sum(c.points for c in hidden)
    # The points Classroom shows: the reporter's maxPoints is the graded lab's max_score.
    shown = lab.points if hidden_in_grade else lab.points - hidden_points
    out += [f"### {T['checked'](lang)} ({fmt_points(shown)} {T['points'](lang)})", ""]
    out += [f"- [ ] {c.title(lang)} ({fmt_points(c.points)})" for c in graded]
    if hidden:
        points = fmt_points(hidden_points)
        said = T["hidden" if hidden_in_grade else "hidden_later"]
        out.append(f"- {said.format(n=len(hidden), p=points)(lang)}")
        if not hidden_in_grade:
            note = T["classroom_points"].format(shown=fmt_points(shown), n=len(hidden), p=points,
                                                total=fmt_points(lab.points))
            out += ["", note(lang)]
    live = [c for c in lab.checks if not c.hidden and c.need is Need.LIVE]
    if live:
        out += ["", T["live"](lang), ""]
        out += [f"- [ ] {c.title(lang)} ({fmt_points(c.points)})" for c in live]
    out += ["", f"### {T['self'](lang)}", ""]
    if self_check:
        labs = shlex.quote(labs_dir)
        out += [T["self_intro"](lang), "", "```sh",
                f"python3 -m pip install {shlex.quote(install)}",
                f"labgrade --labs {labs} check {lab.id} .",
                f"labgrade --labs {labs} check {lab.id} . --watch"]
        if live:
            out.append(f"labgrade --labs {labs} check {lab.id} . --live")
        out += ["```", "", T["watch"](lang)]
    else:
        out.append(T["no_self"](lang))
    out += ["", f"### {T['grading'](lang)}", "", T["grading_text"](lang), ""]
    return out


def readme_text(lab: Lab, *, self_check: bool, labs_dir: str, install: str,
                hidden_in_grade: bool = True) -> str:
    """README.md: one title, then the whole text in Portuguese, then in English.
    `hidden_in_grade`: whether the hidden checks count in the grade this repository shows."""
    title = lab.title("pt") if lab.title("pt") == lab.title("en") \
        else f"{lab.title('pt')} / {lab.title('en')}"
    lines = [f"# {title}", "", "[Português](#português) · [English](#english)", ""]
    for lang, name in (("pt", "Português"), ("en", "English")):
        lines += [f"# {name}", ""]
        lines += _section(lab, lang, self_check, labs_dir,  # type: ignore[arg-type]
                          install, hidden_in_grade)
    return "\n".join(lines).rstrip() + "\n"
