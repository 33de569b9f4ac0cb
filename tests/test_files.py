"""SL401-SL407 through the real command line: files, modes, links, users, tokens and git."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapelint.reporters import FORMATS

NOBODY = "65534"
DAY = 86400


def scrapelint(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapelint", "check", "--format", "concise", *args],
        cwd=cwd, capture_output=True, text=True, check=False, env=env, timeout=timeout,
    )  # fmt: skip


def found(run: subprocess.CompletedProcess[str], prefix: str = "SL4") -> list[tuple[int, str]]:
    """(line, rule) of every concise finding whose rule starts with prefix."""
    pairs = []
    for line in run.stdout.splitlines():
        location, _, rest = line.partition(": ")
        words = rest.split()
        if len(words) >= 2 and words[1].startswith(prefix):
            pairs.append((int(location.split(":")[1]), words[1]))
    return sorted(pairs)


def messages(run: subprocess.CompletedProcess[str], rule: str) -> list[str]:
    return [line for line in run.stdout.splitlines() if f" {rule} " in line]


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def job(field_lines: str, name: str = "app") -> str:
    """A scrape job over https (so no transport rule fires) with the given auth lines."""
    return (
        f"  - job_name: {name}\n    scheme: https\n{field_lines}"
        f'    static_configs:\n      - targets: ["{name}.example.internal:9443"]\n'
    )


def password_job(path: str, name: str = "app") -> str:
    return job(f"    basic_auth:\n      username: prometheus\n      password_file: {path}\n", name)


def token_job(path: str, name: str = "api") -> str:
    return job(f"    authorization:\n      credentials_file: {path}\n", name)


def config(*jobs: str) -> str:
    return "scrape_configs:\n" + "".join(jobs)


def jwt(payload: dict[str, object], signature: bytes = b"test-signature") -> str:
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def claims(value: dict[str, object]) -> str:
        return part(json.dumps(value, separators=(",", ":")).encode())

    return f"{claims({'alg': 'RS256', 'typ': 'JWT'})}.{claims(payload)}.{part(signature)}"


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory every user may enter (pytest's own tmp_path is 0700 when run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="scrapelint-files-"))
    folder.chmod(0o755)
    try:
        for parent in folder.parents:
            if not os.stat(parent).st_mode & 0o001:
                pytest.skip(f"{parent} cannot be entered by other users")
        yield folder
    finally:
        shutil.rmtree(folder)


# --- modes ----------------------------------------------------------------------------------


def _mode_config(tmp_path: Path) -> Path:
    absent = tmp_path / "deploy" / "token"  # an absolute path that does not exist
    text = config(
        password_job("secrets/app-password"),
        token_job(str(absent)),
        job(
            "    oauth2:\n"
            "      grant_type: urn:ietf:params:oauth:grant-type:jwt-bearer\n"
            "      client_id: prometheus\n"
            "      client_certificate_key_file: secrets/oauth.key\n"
            "      token_url: https://auth.example.com/token\n",
            "oauth",
        ),
    )
    return write(tmp_path / "prometheus.yml", text)


def test_auto_reports_missing_relative_paths_only(tmp_path: Path) -> None:
    _mode_config(tmp_path)
    run = scrapelint(tmp_path, "prometheus.yml")
    assert found(run) == [(6, "SL401"), (20, "SL407")]
    assert run.returncode == 1
    # auto is the default, and saying so changes nothing
    assert found(scrapelint(tmp_path, "--files", "auto", "prometheus.yml")) == found(run)


def test_strict_reports_every_missing_file(tmp_path: Path) -> None:
    _mode_config(tmp_path)
    run = scrapelint(tmp_path, "--files", "strict", "prometheus.yml")
    assert found(run) == [(6, "SL401"), (12, "SL401"), (20, "SL407")]
    assert str(tmp_path / "deploy" / "token") in messages(run, "SL401")[1]


def test_off_reports_nothing(tmp_path: Path) -> None:
    _mode_config(tmp_path)
    write(tmp_path / "secrets" / "oauth.key", "key\n", 0o644)
    assert found(scrapelint(tmp_path, "--files", "off", "prometheus.yml")) == []


def test_files_mode_from_settings_file(tmp_path: Path) -> None:
    _mode_config(tmp_path)
    write(tmp_path / ".scrapelint.yaml", "files: strict\n", 0o644)
    assert (12, "SL401") in found(scrapelint(tmp_path, "prometheus.yml"))
    # The command line wins over the file.
    assert found(scrapelint(tmp_path, "--files", "off", "prometheus.yml")) == []


def test_relative_paths_resolve_against_the_config_directory(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "prometheus.yml", config(password_job("app-password")))
    write(tmp_path / "conf" / "app-password", "password\n")
    write(tmp_path / "app-password", "password\n", 0o644)  # in the working directory: not used
    assert found(scrapelint(tmp_path, "conf/prometheus.yml")) == []
    (tmp_path / "conf" / "app-password").unlink()
    run = scrapelint(tmp_path, "conf/prometheus.yml")
    assert found(run) == [(6, "SL401")]
    assert os.path.join("conf", "app-password") in messages(run, "SL401")[0]


def test_included_files_resolve_against_their_own_directory(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", "scrape_config_files: [jobs/*.yml]\n")
    write(tmp_path / "jobs" / "app.yml", config(password_job("app-password"), token_job("token")))
    write(tmp_path / "jobs" / "app-password", "password\n")
    write(tmp_path / "token", "token\n")  # beside the including file: not where Prometheus looks
    run = scrapelint(tmp_path, "prometheus.yml")
    assert [line.split(":")[0] for line in messages(run, "SL401")] == [
        os.path.join("jobs", "app.yml")
    ]
    assert found(run) == [(12, "SL401")]


# --- --root ---------------------------------------------------------------------------------

ROOTED = "/scrapelint-test-root/etc/prometheus/secrets/token"


def test_root_reads_absolute_paths_under_it(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", config(token_job(ROOTED)))
    image = tmp_path / "image"
    write(image / ROOTED.lstrip("/"), "token\n", 0o644)
    assert found(scrapelint(tmp_path, "prometheus.yml")) == []  # not on this host: auto skips
    run = scrapelint(tmp_path, "--root", "image", "prometheus.yml")
    assert found(run) == [(5, "SL402")]
    assert "mode 0644" in messages(run, "SL402")[0]


def test_root_follows_absolute_links_inside_it(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", config(token_job(ROOTED)))
    image = tmp_path / "image"
    write(image / "run" / "secrets" / "token", "token\n", 0o600)
    link = image / ROOTED.lstrip("/")
    link.parent.mkdir(parents=True)
    link.symlink_to("/run/secrets/token")  # absolute: means <root>/run/secrets/token
    assert (
        found(scrapelint(tmp_path, "--root", "image", "--files", "strict", "prometheus.yml")) == []
    )
    (image / "run" / "secrets" / "token").unlink()
    run = scrapelint(tmp_path, "--root", "image", "prometheus.yml")
    assert found(run) == [(5, "SL401")]
    assert "/run/secrets/token" in messages(run, "SL401")[0]


def test_root_with_strict_reports_files_missing_from_it(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", config(token_job(ROOTED)))
    (tmp_path / "image").mkdir()
    assert found(scrapelint(tmp_path, "--root", "image", "prometheus.yml")) == []
    run = scrapelint(tmp_path, "--root", "image", "--files", "strict", "prometheus.yml")
    assert found(run) == [(5, "SL401")]
    assert os.path.join("image", ROOTED.lstrip("/")) in messages(run, "SL401")[0]


# --- --as-user ------------------------------------------------------------------------------


def test_as_user_judges_mode_bits(open_dir: Path) -> None:
    write(open_dir / "prometheus.yml", config(token_job("private"), token_job("shared", "b")))
    write(open_dir / "private", "token\n", 0o600)
    write(open_dir / "shared", "token\n", 0o600)
    assert found(scrapelint(open_dir, "prometheus.yml")) == []  # the current user may read both
    for user in (NOBODY, "nobody"):
        run = scrapelint(open_dir, "--as-user", user, "prometheus.yml")
        assert found(run) == [(5, "SL405"), (11, "SL405")], run.stdout
        assert "uid 65534" in messages(run, "SL405")[0]
        assert "mode 0600" in messages(run, "SL405")[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's group needs root")
def test_as_user_uses_group_membership(open_dir: Path) -> None:
    import pwd

    nobody = pwd.getpwuid(int(NOBODY))
    write(open_dir / "prometheus.yml", config(token_job("token")))
    token = write(open_dir / "token", "token\n", 0o640)
    os.chown(token, 0, nobody.pw_gid)
    assert found(scrapelint(open_dir, "--as-user", "nobody", "prometheus.yml")) == []
    os.chown(token, 0, 0)
    assert found(scrapelint(open_dir, "--as-user", "nobody", "prometheus.yml")) == [(5, "SL405")]


def test_as_user_needs_every_directory_searchable(open_dir: Path) -> None:
    write(open_dir / "prometheus.yml", config(token_job("closed/token")))
    write(open_dir / "closed" / "token", "token\n", 0o644)
    (open_dir / "closed").chmod(0o700)
    run = scrapelint(open_dir, "--as-user", NOBODY, "prometheus.yml")
    assert found(run) == [(5, "SL402"), (5, "SL405")]
    assert "may not enter its directory" in messages(run, "SL405")[0]
    (open_dir / "closed").chmod(0o711)
    assert found(scrapelint(open_dir, "--as-user", NOBODY, "prometheus.yml")) == [(5, "SL402")]


def test_as_user_uid_without_an_entry_uses_other_bits(open_dir: Path) -> None:
    write(open_dir / "prometheus.yml", config(token_job("token")))
    write(open_dir / "token", "token\n", 0o640)
    run = scrapelint(open_dir, "--as-user", "54321", "prometheus.yml")
    assert found(run) == [(5, "SL405")]
    assert "uid 54321" in messages(run, "SL405")[0]


def test_unknown_as_user_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", config(token_job("token")))
    write(tmp_path / "token", "token\n")
    run = scrapelint(tmp_path, "--as-user", "no-such-user-scrapelint", "prometheus.yml")
    assert run.returncode == 2
    assert "no such user" in run.stderr
    assert "Traceback" not in run.stderr


# --- special files and links ----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_fifo_is_reported_without_hanging(tmp_path: Path, mode: str) -> None:
    write(tmp_path / "prometheus.yml", config(token_job("secrets/token")))
    (tmp_path / "secrets").mkdir()
    os.mkfifo(tmp_path / "secrets" / "token")
    run = scrapelint(tmp_path, "--files", mode, "prometheus.yml", timeout=30)
    assert found(run) == [(5, "SL405")]
    assert "FIFO" in messages(run, "SL405")[0]


def test_fifo_behind_a_link_and_devices_are_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "token").symlink_to("pipe")
    text = config(token_job("token"), token_job("/dev/zero", "zero"), token_job("/dev/tty", "tty"))
    write(tmp_path / "prometheus.yml", text)
    run = scrapelint(tmp_path, "prometheus.yml", timeout=30)
    expected = [(5, "SL405"), (11, "SL405")]
    if os.path.exists("/dev/tty"):
        expected.append((17, "SL405"))
    assert found(run) == expected


def test_dangling_links_are_reported_in_auto_mode(tmp_path: Path) -> None:
    (tmp_path / "relative").symlink_to("..data/token")
    absolute = tmp_path / "absolute"
    absolute.symlink_to(tmp_path / "gone" / "token")
    text = config(token_job("relative"), token_job(str(absolute), "b"))
    write(tmp_path / "prometheus.yml", text)
    run = scrapelint(tmp_path, "prometheus.yml")
    assert found(run) == [(5, "SL401"), (11, "SL401")]
    assert "symbolic link to ..data/token" in messages(run, "SL401")[0]


def test_kubernetes_secret_volume_links_are_followed(tmp_path: Path) -> None:
    volume = tmp_path / "secrets"
    write(volume / "..2024_01_01_00_00_00.1" / "token", "token\n", 0o644)
    (volume / "..data").symlink_to("..2024_01_01_00_00_00.1")
    (volume / "token").symlink_to("..data/token")
    write(tmp_path / "prometheus.yml", config(token_job(str(volume / "token"))))
    run = scrapelint(tmp_path, "--files", "strict", "prometheus.yml")
    assert found(run) == [(5, "SL402")]  # judged by the file the links lead to


def test_loop_of_links_and_directory(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "dir").mkdir()
    write(tmp_path / "prometheus.yml", config(token_job("a"), token_job("dir", "b")))
    run = scrapelint(tmp_path, "prometheus.yml")
    assert found(run) == [(5, "SL405"), (11, "SL405")]
    assert "loop" in messages(run, "SL405")[0]
    assert "directory" in messages(run, "SL405")[1]


# --- content: empty files and tokens ----------------------------------------------------------


def test_empty_and_large_files(tmp_path: Path) -> None:
    write(tmp_path / "empty", " \n\t\n")
    write(tmp_path / "large", "x" * (1 << 20))
    write(tmp_path / "prometheus.yml", config(token_job("empty"), token_job("large", "b")))
    run = scrapelint(tmp_path, "prometheus.yml")
    assert found(run) == [(5, "SL403")]


def _token_config(tmp_path: Path, tokens: dict[str, str]) -> None:
    for name, value in tokens.items():
        write(tmp_path / name, value + "\n")
    write(tmp_path / "prometheus.yml", config(*(token_job(n, n) for n in tokens)))


def test_jwt_expiry(tmp_path: Path) -> None:
    now = int(time.time())
    sub = "system:serviceaccount:monitoring:prometheus"
    _token_config(
        tmp_path,
        {
            "expired": jwt({"sub": sub, "exp": now - DAY}),
            "soon": jwt({"sub": sub, "iat": now - 30 * DAY, "exp": now + 3 * DAY + 3600}),
            "fresh": jwt({"sub": sub, "exp": now + 365 * DAY}),
            "noexp": jwt({"sub": sub}),
            "rotated": jwt({"sub": sub, "iat": now - 1800, "exp": now + 1800}),
            "rotatedexpired": jwt({"sub": sub, "iat": now - 7200, "exp": now - 3600}),
        },
    )
    run = scrapelint(tmp_path, "prometheus.yml")
    assert found(run) == [(5, "SL404"), (11, "SL404"), (35, "SL404")]
    expired, soon, rotated = messages(run, "SL404")
    assert "error SL404" in expired and "has expired" in expired
    assert f"exp {now - DAY} = " in expired and f'sub "{sub}"' in expired
    assert "expires in 3 days" in soon and "warning SL404" in soon
    assert "has expired" in rotated


def test_token_expiry_days_setting(tmp_path: Path) -> None:
    now = int(time.time())
    _token_config(tmp_path, {"soon": jwt({"exp": now + 3 * DAY + 3600})})
    assert found(scrapelint(tmp_path, "prometheus.yml")) == [(5, "SL404")]
    write(tmp_path / ".scrapelint.yaml", "token-expiry-days: 1\n", 0o644)
    assert found(scrapelint(tmp_path, "prometheus.yml")) == []


CANARY = "CANARYfile9d2c"


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_file_content_or_token_in_any_format(tmp_path: Path, output_format: str) -> None:
    claims = {"exp": 1704067200, "sub": "prometheus", "iss": f"{CANARY}-issuer"}
    token = jwt(claims, signature=f"{CANARY}-signature".encode())
    _, payload, signature = token.split(".")
    write(tmp_path / "token", token + "\n", 0o644)
    write(tmp_path / "password", f"{CANARY}-password\n", 0o666)
    write(tmp_path / "prometheus.yml", config(token_job("token"), password_job("password")))
    run = subprocess.run(
        [sys.executable, "-m", "scrapelint", "check", "--format", output_format,
         "prometheus.yml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 1
    assert "SL404" in output and "SL402" in output
    for secret in (CANARY, token, payload, signature):
        assert secret not in output


# --- git ------------------------------------------------------------------------------------


def _git(folder: Path, git: str, *args: str) -> None:
    subprocess.run([git, "-C", str(folder), *args], check=True, capture_output=True)


def _repo(tmp_path: Path, git: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, git, "init", "-q")
    text = config(password_job("secrets/password"), token_job("secrets/token"))
    text += job("    tls_config:\n      ca_file: tls/ca.crt\n", "tls")
    write(repo / "prometheus.yml", text, 0o644)
    write(repo / "secrets" / "password", "password\n")
    write(repo / "secrets" / "token", "token\n")
    write(repo / "tls" / "ca.crt", "ca\n", 0o644)
    return repo


def test_tracked_secret_is_reported(tmp_path: Path, git: str) -> None:
    repo = _repo(tmp_path, git)
    assert found(scrapelint(repo, "prometheus.yml")) == []
    _git(repo, git, "add", "prometheus.yml", "secrets/password", "tls/ca.crt")
    run = scrapelint(repo, "prometheus.yml")
    assert found(run) == [(6, "SL406")]  # the untracked token and the CA file are fine
    # From another directory, and through a link to the tracked file.
    (repo / "secrets" / "current").symlink_to("password")
    write(repo / "prometheus.yml", config(password_job("secrets/current")), 0o644)
    assert found(scrapelint(tmp_path, "repo/prometheus.yml")) == [(6, "SL406")]


def test_git_missing_or_no_repository_means_no_finding(tmp_path: Path, git: str) -> None:
    repo = _repo(tmp_path, git)
    _git(repo, git, "add", "secrets/password")
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    assert found(scrapelint(repo, "prometheus.yml", env=env)) == []
    shutil.rmtree(repo / ".git")
    assert found(scrapelint(repo, "prometheus.yml")) == []


def test_secret_of_another_repository_is_not_reported(tmp_path: Path, git: str) -> None:
    repo = _repo(tmp_path, git)
    vault = tmp_path / "vault"
    write(vault / "password", "password\n")
    _git(vault, git, "init", "-q")
    _git(vault, git, "add", "password")
    write(repo / "prometheus.yml", config(password_job(str(vault / "password"))), 0o644)
    _git(repo, git, "add", "prometheus.yml")
    assert found(scrapelint(repo, "--files", "strict", "prometheus.yml")) == []
