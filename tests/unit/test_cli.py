"""Bad values stop with a clear message before anything is created."""

import pytest
from typer.testing import CliRunner

from stackha import cli
from stackha.lab import hosts

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_lab(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("validation must stop before the lab is touched")

    monkeypatch.setattr(hosts, "up", refuse)
    monkeypatch.setattr(hosts, "project_root", refuse)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--controllers", "0"], "controllers must be between 1"),
        (["--controllers", "2"], "even Galera count"),
        (["--subnet", "10.0.0.0/29"], "too small"),
        (["--name", "Bad_Name"], "not valid"),
    ],
)
def test_lab_up_refuses_bad_values(args: list[str], message: str) -> None:
    result = runner.invoke(cli.app, ["lab", "up", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
