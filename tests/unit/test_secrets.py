"""Lab secrets: random, kept across runs, private."""

from pathlib import Path

from stackha.lab.secrets import SECRET_NAMES, ensure_secrets


def test_secrets_are_random_kept_and_private(tmp_path: Path) -> None:
    path = tmp_path / "group_vars" / "all" / "secrets.yml"
    first = ensure_secrets(path)
    assert set(first) == set(SECRET_NAMES)
    assert all(len(v) >= 24 for v in first.values())
    assert len(set(first.values())) == len(first)
    assert path.stat().st_mode & 0o777 == 0o600
    assert ensure_secrets(path) == first
    more = ensure_secrets(path, (*SECRET_NAMES, "new_password"))
    assert {k: more[k] for k in first} == first and "new_password" in more
