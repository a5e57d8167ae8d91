"""Score integrity (threat-model.md cases P1-P7, H1-H6, G6): the score comes only from what the
grader observed; nothing the submission prints, writes or ships changes it, leaks a secret or
breaks a report; nothing in the submission runs in the grader's process."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from advkit import (
    CANARY_ENV,
    GOOD,
    INDEX,
    LABS,
    assert_case,
    labelled,
    run_grade,
    write_submission,
)

from graders.backends import get_backend
from graders.engine.run import GradeOptions, grading_session

pytestmark = pytest.mark.docker
BIN = Path(sys.executable).parent
HOSTILE = ("NUL:\\000 ESC:\\033[31mred\\033[0m\\033]0;title\\007 BAD-UTF8:\\377\\376 "
           "CDATA:]]> </failure></testsuite> <![CDATA[x]]> &amp; ::error::pwned "
           "\\342\\200\\256RTL \\r\\f\\v BELL:\\007")


def _cmd(cmd: str, extra: str = "") -> str:
    return GOOD.replace('CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]', extra + "CMD " + cmd)


# --- P1: a faked /bin/sh and dpkg gain nothing on outside-in checks ----------------------------
FAKE = """#!/bin/bash
# answers every question the way a grader would like
echo "ii  apache2  2.4.57-2  amd64  Apache HTTP Server"
echo "ii  curl     7.88.1-10 amd64  command line tool"
echo "Server version: Apache/2.4.57 (Debian)"
exit 0
"""
FAKE_APACHECTL = """#!/bin/bash
echo "Apache/2.4.57 (Debian) configured -- resuming normal operations"
exec sleep 100000
"""


def test_p1_fake_shell_and_dpkg_gain_nothing(apache_lab, tmp_path: Path) -> None:
    """/bin/sh (dash) and dpkg replaced by fakes that claim apache2 and curl are installed;
    the RUN that should install them runs the fake shell, so nothing is installed. The
    package checks read /var/lib/dpkg/status from the host: both fail."""
    sub = write_submission(tmp_path / "s", {
        "fake-sh": FAKE, "fake-dpkg": FAKE, "apachectl": FAKE_APACHECTL,
        "Dockerfile": """FROM debian:12
COPY fake-sh /usr/bin/dash
COPY fake-dpkg /usr/bin/dpkg
RUN apt-get update && apt-get install -y apache2 curl && apt-get clean
COPY apachectl /usr/sbin/apachectl
ENV APACHE_LOCK_DIR="/var/lock"
ENV APACHE_PID_FILE="/var/run/apache2.pid"
ENV APACHE_RUN_USER="www-data"
ENV APACHE_RUN_GROUP="www-data"
ENV APACHE_LOG_DIR="/var/log/apache2"
LABEL description="Webserver"
VOLUME [ "/var/www/html" ]
EXPOSE 80
ENTRYPOINT [ "/usr/sbin/apachectl" ]
CMD [ "-D", "FOREGROUND" ]
"""})
    for name in ("fake-sh", "fake-dpkg", "apachectl"):
        os.chmod(sub / name, 0o755)
    run = dataclasses.replace(apache_lab.run, ready=dataclasses.replace(
        apache_lab.run.ready, timeout=3))
    lab = dataclasses.replace(apache_lab, run=run)
    g = run_grade(lab, sub)
    # base-image 10 + apt-cache-cleaned 5 (the Dockerfile's text) + env 10 + label 5 +
    # volume 5 + expose 10 + foreground 10 + keeps-running 10; packages and HTTP: 0.
    assert_case(g, within=40, score=65, says=("apache2 is not installed", "curl is not installed"))
    assert g.check("apache2-installed").status.value == "failed"
    assert g.check("serves-http").status.value == "failed"


def test_p1_exec_probes_can_be_faked_outside_in_cannot(adv_lab, tmp_path: Path) -> None:
    """What docs/security.md states: an exec-based check asks the submission, so a fake `cat`
    passes it; the outside-in checks of the same fact (the file read from the host, HTTP)
    do not move."""
    sub = write_submission(tmp_path / "s", {
        "fake-cat": "#!/bin/sh\necho '<h1>hello from busybox</h1>'\n", "readme.txt": "no index",
        "Dockerfile": "FROM busybox:1.35\nCOPY fake-cat /usr/local/bin/cat\n"
                      "COPY readme.txt /www/readme.txt\nEXPOSE 8080\n"
                      "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n"})
    os.chmod(sub / "fake-cat", 0o755)
    g = run_grade(adv_lab, sub)
    # exposes 10 + keeps-running 20 + nonce 20 (httpd does serve /www) + says-hello 20 (faked)
    assert_case(g, within=20, score=70)
    assert g.check("index-file").status.value == "failed"
    assert g.check("serves-hello").status.value == "failed"
    assert g.check("says-hello").status.value == "passed"


# --- P2: printed or written "results" are ignored ----------------------------------------------
def test_p2_printed_results_are_ignored(adv_lab, tmp_path: Path) -> None:
    liar = ('["sh", "-c", "echo \'<testsuite tests=\\"6\\" failures=\\"0\\">'
            '<testcase name=\\"x\\"/></testsuite>\'; '
            'echo \'{\\"score\\": 100, \\"max_score\\": 100}\'; '
            'echo PASSED 100/100; echo ::set-output name=result::100; '
            'mkdir -p /results /output; echo \'{\\"score\\": 100}\' > /results/results.json; '
            'exit 1"]')
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": _cmd(liar)})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=10, says=("exited with code 1", "exit code 1"))
    data = json.loads(g.reports["json/en/instructor"])
    assert data["score"] == 10


# --- P4: a canned answer passes fixed checks, never the nonce ----------------------------------
def test_p4_canned_server_fails_the_nonce(adv_lab, tmp_path: Path) -> None:
    answer = ("#!/bin/sh\nread -r line\n"
              "printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/html\\r\\n\\r\\n"
              "<h1>hello from busybox</h1>\\n'\n")
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "answer.sh": answer,
        "Dockerfile": _cmd('["nc", "-ll", "-p", "8080", "-e", "/answer.sh"]',
                           "COPY answer.sh /answer.sh\n")})
    os.chmod(sub / "answer.sh", 0o755)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=20, score=80, says=("was not served",))
    assert g.check("serves-hello").status.value == "passed"
    assert g.check("serves-fresh-file").status.value == "failed"




def test_p4_apache_serves_a_fresh_nonce_file() -> None:
    """The Apache lab's hidden nonce check: the reference solution really serves
    /var/www/html, so a token written there for this run comes back over HTTP."""
    from graders.spec import load_lab

    lab = load_lab("day2-apache", LABS.parent.parent.parent / "labs")
    assert lab.points == 105
    g = run_grade(lab, lab.root / "solution")
    assert_case(g, within=40, score=105)
    assert g.check("serves-fresh-file").status.value == "passed"


# --- P7: hostile bytes in the build log and the container output --------------------------------
def _clean_json(g) -> None:
    for key, text in g.reports.items():
        if key.startswith("json/"):
            decoded = json.dumps(json.loads(text), ensure_ascii=False)
            assert "\x00" not in decoded and "\x1b" not in decoded, key


def test_p7_hostile_build_log(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX,
        "Dockerfile": f"FROM busybox:1.35\nRUN printf '{HOSTILE}\\n'; "
                      "head -c 300000 /dev/zero | tr '\\000' 'A'; echo; "
                      f"printf '{HOSTILE}\\n'; exit 4\n"})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=20, score=0, says=("non-zero code: 4",))
    _clean_json(g)


def test_p7_hostile_container_output(adv_lab, tmp_path: Path) -> None:
    noisy = (f"#!/bin/sh\nprintf '{HOSTILE}\\n'\nhead -c 2000000 /dev/zero | tr '\\000' B\n"
             f"echo\nprintf '{HOSTILE}\\n' >&2\nexit 3\n")
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "noisy.sh": noisy,
        "Dockerfile": _cmd('["/noisy.sh"]', "COPY noisy.sh /noisy.sh\n")})
    os.chmod(sub / "noisy.sh", 0o755)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=20, score=10, says=("exited with code 3", "CDATA"))
    _clean_json(g)
    assert max(len(r) for r in g.reports.values()) < 300_000


# --- G6: the grader's secrets never reach the build, the container or a report -----------------
def test_g6_grader_secrets_stay_out(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX,
        "Dockerfile": GOOD.replace("EXPOSE", "ARG LABGRADE_TEST_CANARY_TOKEN\n"
                                             "RUN echo \"token=[$LABGRADE_TEST_CANARY_TOKEN]\" "
                                             f"{secrets.token_hex(4)}\n"
                                             "EXPOSE")})
    run_id = "advsecret" + secrets.token_hex(4)
    with grading_session(adv_lab, sub, get_backend("sdk"), GradeOptions(run_id=run_id)) as run:
        result = run.result()
        env = run.ctx.container_inspect()["Config"]["Env"]
        inside = run.ctx.exec(["sh", "-c", "cat /proc/1/environ; env"]).stdout
    assert result.score == 100
    assert "token=[]" in result.build.log_tail
    assert not any(CANARY_ENV in e for e in env) and CANARY_ENV not in inside
    assert not any(labelled(run_id).values())


# --- H1 / H3: nothing in the submission runs in the grader or changes its reports ---------------
def _hostile_repo(folder: Path, markers: Path) -> Path:
    """A failing submission (the container exits at once: 10 points) carrying everything that
    would run if the grader imported, collected or sourced it."""
    def mark(name: str) -> str:
        return f"open({str(markers / name)!r}, 'w').write('ran')\n"

    return write_submission(folder, {
        "index.html": INDEX,
        "Dockerfile": GOOD.replace("CMD", 'ENTRYPOINT ["true"]\nCMD'),
        "conftest.py": mark("conftest") + (
            "import pytest\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    outcome.get_result().outcome = 'passed'\n"),
        "pytest.ini": "[pytest]\naddopts = -p no:graders --deselect all\n",
        "sitecustomize.py": mark("sitecustomize"),
        "usercustomize.py": mark("usercustomize"),
        "evil.pth": f"import os; {mark('pth').strip()}\n",
        "docker/__init__.py": mark("docker-shadow"),
        "graders/__init__.py": mark("graders-shadow"),
        "testinfra.py": mark("testinfra-shadow"),
        "yaml.py": mark("yaml-shadow"),
        ".github/workflows/classroom.yml":
            "jobs: {grade: {steps: [{run: 'echo Points 100/100'}]}}\n",
        "results.json": '{"score": 100, "tests": []}\n',
        "junit.xml": '<testsuite tests="6" failures="0"></testsuite>\n',
    })


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = ""
    env["LABGRADE_NO_REAP"] = "1"
    return env


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    markers = tmp_path / "markers"
    markers.mkdir()
    return _hostile_repo(tmp_path / "student", markers), markers


def test_h1_engine_in_process(adv_lab, hostile) -> None:
    sub, markers = hostile
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=10)
    assert not list(markers.iterdir())
    assert not any(str(sub) in str(getattr(m, "__file__", "") or "")
                   for m in list(sys.modules.values()))


@pytest.mark.parametrize("cwd", ["neutral", "submission"])
def test_h1_h3_cli_unaffected(hostile, tmp_path: Path, cwd: str) -> None:
    sub, markers = hostile
    where = sub if cwd == "submission" else tmp_path / "neutral"
    where.mkdir(exist_ok=True)
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(BIN / "labgrade"), "--labs", str(LABS), "grade", "adv-busybox", str(sub),
         "--json", str(out / "r.json"), "--junit", str(out / "r.xml"),
         "--classroom", str(out / "c.txt")],
        cwd=where, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not list(markers.iterdir()), sorted(p.name for p in markers.iterdir())
    assert json.loads((out / "r.json").read_text())["score"] == 10
    classroom = json.loads((out / "c.txt").read_text())
    assert sum(t["score"] for t in classroom["tests"]) == 10
    ET.parse(out / "r.xml")  # our JUnit, well formed; the student's junit.xml is never read


def test_h1_pytest_plugin_unaffected(hostile, tmp_path: Path) -> None:
    """`pytest --lab LAB --submission DIR`, run from the grader's side: the submission's
    conftest.py, pytest.ini and sitecustomize.py are never loaded."""
    sub, markers = hostile
    lab = tmp_path / "lab" / "adv-busybox"
    shutil.copytree(LABS / "adv-busybox", lab)
    neutral = tmp_path / "neutral"
    neutral.mkdir()
    proc = subprocess.run(
        [str(BIN / "pytest"), "--lab", str(lab), "--submission", str(sub), "-p",
         "no:cacheprovider", "-q", "--rootdir", str(neutral)],
        cwd=neutral, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert "labgrade score: 10/100" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert not list(markers.iterdir()), sorted(p.name for p in markers.iterdir())


@pytest.mark.xfail(strict=True, reason="pytest itself loads conftest.py and pytest.ini from "
                   "the folder it starts in: never run the plugin from inside a submission "
                   "(docs/security.md)")
def test_h1_pytest_plugin_started_inside_the_submission(hostile, tmp_path: Path) -> None:
    sub, markers = hostile
    lab = tmp_path / "lab" / "adv-busybox"
    shutil.copytree(LABS / "adv-busybox", lab)
    subprocess.run([str(BIN / "pytest"), "--lab", str(lab), "--submission", ".", "-q"],
                   cwd=sub, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert not list(markers.iterdir())


# --- H6 / G-ISO: two submissions graded at once do not touch each other -------------------------
def test_h6_parallel_submissions_are_isolated(adv_lab, tmp_path: Path) -> None:
    forged = 'LABEL org.labgrade.run=victim org.labgrade.keep=1 org.labgrade.created=0\n'
    good = write_submission(tmp_path / "a", {
        "index.html": INDEX, "Dockerfile": GOOD.replace("EXPOSE", forged + "EXPOSE")})
    bad = write_submission(tmp_path / "b", {
        "index.html": "<h1>other</h1>\n",
        "Dockerfile": GOOD.replace("EXPOSE", forged + "EXPOSE").replace(
            "CMD", 'ENTRYPOINT ["true"]\nCMD')})
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda s: run_grade(adv_lab, s), [good, bad])
    assert_case(a, within=40, score=100)
    assert_case(b, within=40, score=10)
    assert a.run_id != b.run_id
