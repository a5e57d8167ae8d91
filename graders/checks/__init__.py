"""The check registry: YAML `type:` value -> "module:Class", imported only when used.

Adding a check type means one new file in this package plus one line here.
"""

from __future__ import annotations

import importlib

from graders.checks.base import Check, CheckContext, Need, Outcome

__all__ = ["CHECKS", "Check", "CheckContext", "Need", "Outcome", "get_check_class"]

CHECKS: dict[str, str] = {
    # Dockerfile, read without Docker
    "dockerfile_instruction": "graders.checks.dockerfile_instruction:DockerfileInstructionCheck",
    "base_image": "graders.checks.base_image:BaseImageCheck",
    # The built image's config, from inspect
    "image_env": "graders.checks.image_env:ImageEnvCheck",
    "image_labels": "graders.checks.image_labels:ImageLabelsCheck",
    "image_exposed_ports": "graders.checks.image_exposed_ports:ImageExposedPortsCheck",
    "image_volumes": "graders.checks.image_volumes:ImageVolumesCheck",
    "image_entrypoint": "graders.checks.image_entrypoint:ImageEntrypointCheck",
    "image_cmd": "graders.checks.image_cmd:ImageCmdCheck",
    "image_user": "graders.checks.image_user:ImageUserCheck",
    "image_workdir": "graders.checks.image_workdir:ImageWorkdirCheck",
    "package": "graders.checks.package:PackageCheck",
    # The running container
    "container_running": "graders.checks.container_running:ContainerRunningCheck",
    "http": "graders.checks.http:HttpCheck",
    "file": "graders.checks.file:FileCheck",
    "command": "graders.checks.command:CommandCheck",
    "process": "graders.checks.process:ProcessCheck",
}


def get_check_class(type_name: str) -> type[Check]:
    """The class for a YAML `type:`; KeyError for an unknown name (the spec loader reports it)."""
    module_name, class_name = CHECKS[type_name].split(":")
    cls: type[Check] = getattr(importlib.import_module(module_name), class_name)
    return cls
