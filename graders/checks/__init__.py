"""The check-type table: YAML `type:` value -> "module:Class", imported only when used.

Adding a check type means one new file in this package plus one line here.
"""

from __future__ import annotations

import importlib

from graders.checks.base import Check, CheckContext, Need, Outcome

__all__ = ["CHECK_TYPES", "Check", "CheckContext", "Need", "Outcome", "check_type_class"]

CHECK_TYPES: dict[str, str] = {
    # Dockerfile, read without Docker
    "dockerfile_instruction": "graders.checks.dockerfile_instruction:DockerfileInstructionCheck",
    "base_image": "graders.checks.base_image:BaseImageCheck",
    "stage_count": "graders.checks.stage_count:StageCountCheck",
    "named_stage": "graders.checks.named_stage:NamedStageCheck",
    "copy_from": "graders.checks.copy_from:CopyFromCheck",
    "exec_form": "graders.checks.exec_form:ExecFormCheck",
    "workdir_absolute": "graders.checks.workdir_absolute:WorkdirAbsoluteCheck",
    "add_vs_copy": "graders.checks.add_vs_copy:AddVsCopyCheck",
    # The built image's config, from inspect
    "image_env": "graders.checks.image_env:ImageEnvCheck",
    "image_labels": "graders.checks.image_labels:ImageLabelsCheck",
    "image_exposed_ports": "graders.checks.image_exposed_ports:ImageExposedPortsCheck",
    "image_volumes": "graders.checks.image_volumes:ImageVolumesCheck",
    "image_cmd": "graders.checks.image_cmd:ImageCmdCheck",
    "image_user": "graders.checks.image_user:ImageUserCheck",
    "image_workdir": "graders.checks.image_workdir:ImageWorkdirCheck",
    "package": "graders.checks.package:PackageCheck",
    "image_size": "graders.checks.image_size:ImageSizeCheck",
    "path_absent": "graders.checks.path_absent:PathAbsentCheck",
    "run_output": "graders.checks.run_output:RunOutputCheck",
    # The running container
    "container_running": "graders.checks.container_running:ContainerRunningCheck",
    "http": "graders.checks.http:HttpCheck",
    "http_nonce": "graders.checks.http_nonce:HttpNonceCheck",
    "file": "graders.checks.file:FileCheck",
    "command": "graders.checks.command:CommandCheck",
    # The student's own engine state, read-only; only with `labgrade check --live`
    "live_image": "graders.checks.live_image:LiveImageCheck",
    "live_container": "graders.checks.live_container:LiveContainerCheck",
    "live_http": "graders.checks.live_http:LiveHttpCheck",
    "live_login": "graders.checks.live_login:LiveLoginCheck",
    "live_tag": "graders.checks.live_tag:LiveTagCheck",
    # The image the student pushed to a registry (`--registry`, `--image`, labgrade.yaml)
    "image_reference": "graders.checks.image_reference:ImageReferenceCheck",
    "registry_tag": "graders.checks.registry_tag:RegistryTagCheck",
    "registry_matches": "graders.checks.registry_matches:RegistryMatchesCheck",
    "registry_runs": "graders.checks.registry_runs:RegistryRunsCheck",
}


def check_type_class(type_name: str) -> type[Check]:
    """The class for a YAML `type:`; KeyError for an unknown name (the spec loader reports it)."""
    module_name, class_name = CHECK_TYPES[type_name].split(":")
    cls: type[Check] = getattr(importlib.import_module(module_name), class_name)
    return cls
