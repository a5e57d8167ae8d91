"""`labgrade registry up|down|status`: the embedded registry, to practise `docker push`.

    labgrade registry up [--port 5000] [--auth USER:PASSWORD] [--state DIR]
    labgrade registry down [--state DIR]
    labgrade registry status [--state DIR]

`--auth USER` alone reads the password from $LABGRADE_REGISTRY_PASSWORD, else asks for it (so it
stays out of the shell history and `ps`). The password is never printed; it is stored only
bcrypt-hashed in the state folder's htpasswd. `down` keeps what was pushed for the next `up`.
It runs Debian's /usr/bin/docker-registry, or, where that is absent, the registry:2 image in a
container published on 127.0.0.1 only (graders/registry/container.py).
"""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from graders.cli.env import Env, ExitStatus
from graders.errors import UsageError

ENV_PASSWORD = "LABGRADE_REGISTRY_PASSWORD"


def registry_address(value: str) -> str:
    """argparse type for `--registry`: `host[:port]`, as docker writes it (no scheme, no path)."""
    from graders.registry.reference import parse_reference

    text = value.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    ref = parse_reference(f"{text}/x/y:z")
    hub = text in ("docker.io", "index.docker.io")
    if not text or "/" in text or not ref.valid or (ref.registry != text and not hub):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a registry address: give HOST[:PORT], e.g. localhost:5000")
    return ref.registry


def run(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.registry import server

    state = args.state or None
    if args.registry_action == "up":
        if not 0 < args.port < 65536:
            raise UsageError(f"--port must be 1-65535, got {args.port}.")
        auth = _auth(args.auth, env)
        st = server.up(port=args.port, auth=auth, state_dir=state)
        env.out(_describe(st))
        env.out("")
        env.out(_howto(st))
        return ExitStatus.SUCCESS
    if args.registry_action == "down":
        before = server.status(state)
        server.down(state)
        env.out(f"Registry stopped ({before.how}); what was pushed is kept in "
                f"{before.state_dir / 'data'}." if before.running
                else "The registry was not running; nothing to stop.")
        return ExitStatus.SUCCESS
    st = server.status(state)
    env.out(_describe(st))
    return ExitStatus.SUCCESS if st.running else ExitStatus.CHECKS_FAILED


def _auth(value: str | None, env: Env) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep:
        password = env.environ.get(ENV_PASSWORD) or ""
        if not password and getattr(env.stdout, "isatty", lambda: False)():
            password = getpass.getpass(f"Password for {user}: ")
    if not user or not password:
        raise UsageError("--auth needs USER:PASSWORD, or USER with the password in "
                         f"${ENV_PASSWORD} (or typed at the prompt).")
    return user, password


def _describe(st: Any) -> str:
    if not st.running:
        return f"The registry is not running (state folder {st.state_dir})."
    login = f"login required for {st.user}" if st.user else "no login required"
    log = f"docker logs {st.container}" if st.container else st.log
    return (f"Registry running at {st.address} (127.0.0.1:{st.port}, {st.how}, {login}).\n"
            f"State: {st.state_dir}  Log: {log}")


def _howto(st: Any) -> str:
    name = f"{st.address}/YOUR_USER/app:v1.0"
    lines = ["Push to it:"]
    if st.user:
        lines.append(f"  docker login {st.address} -u {st.user}")
    lines += [f"  docker tag YOUR_USER/app:v1.0 {name}", f"  docker push {name}",
              "Grade against it:",
              f"  labgrade check LAB . --registry {st.address}"]
    return "\n".join(lines)
