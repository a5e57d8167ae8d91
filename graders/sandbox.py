"""Sandbox defaults for the student's container: the least it needs, overridable per lab.

A lab's `run.limits` may change memory, pids, cpus, cap_add and the like; anything that would
widen the sandbox past these defaults (privileged, host mounts, the Docker socket) is refused.
"""

from __future__ import annotations

from typing import Any

from graders.errors import SpecError

DEFAULTS: dict[str, Any] = {
    "memory": "512m",
    "pids": 256,
    "cpus": 1.0,
    "nofile": 1024,
    # Docker's default set minus what no lab of ours needs; a lab may add back with cap_add.
    "cap_drop": ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SYS_CHROOT", "SETFCAP", "FSETID"],
    "cap_add": [],
}
ALLOWED = set(DEFAULTS)


def host_config(limits: dict[str, Any] | None = None) -> dict[str, Any]:
    """docker-py create() keyword arguments for the sandbox, with a lab's overrides applied."""
    merged = dict(DEFAULTS)
    for key, value in (limits or {}).items():
        if key not in ALLOWED:
            raise SpecError(f"unknown sandbox limit {key!r}; allowed: {', '.join(sorted(ALLOWED))}",
                            field="run.limits")
        merged[key] = value
    memory = str(merged["memory"])
    return {
        "mem_limit": memory,
        "memswap_limit": memory,  # memory+swap equal to memory: no swap to hide in
        "pids_limit": int(merged["pids"]),
        "nano_cpus": int(float(merged["cpus"]) * 1e9),
        "ulimits": [
            {"Name": "nofile", "Soft": int(merged["nofile"]), "Hard": int(merged["nofile"])},
            {"Name": "core", "Soft": 0, "Hard": 0},
        ],
        "cap_drop": list(merged["cap_drop"]),
        "cap_add": list(merged["cap_add"]) or None,
        "security_opt": ["no-new-privileges"],
        "init": True,
        "privileged": False,
    }
