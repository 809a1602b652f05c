"""Every role documents every public variable of its defaults in meta/argument_specs.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "roles").iterdir() if p.is_dir())


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_default_is_documented(role: Path) -> None:
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    documented = set(specs["main"].get("options", {}))
    missing = sorted(set(defaults) - documented)
    assert not missing, f"{role.name}: undocumented defaults {missing}"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_public_variables_carry_the_role_prefix(role: Path) -> None:
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
    stray = sorted(name for name in defaults if not name.startswith(f"{role.name}_"))
    assert not stray, f"{role.name}: defaults without the {role.name}_ prefix {stray}"
