"""The set-up's fast path: OpenBLAS installed by itself where it can be, else one line."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

from engine import platform as plat

ROOT = Path(__file__).resolve().parent.parent
FAKE_PYTHON = """#!/bin/sh
case "$*" in
  *find_openblas*) [ -e "$MARK" ] && exit 0 || exit 1 ;;
  *"-m pip"*) echo "pip $*" >> "$LOG"; [ -n "$PIP_WORKS" ] && touch "$MARK"; exit 0 ;;
  *SLOW_BLAS_NOTE*) echo "MLX is using its slow bundled BLAS. Fix: sudo apt-get install x"; exit 0 ;;
esac
exit 2
"""


def _tool(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def run_script(tmp_path, *, root: bool, sudo: bool, apt: bool, gfortran: bool, pip=False):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log, mark = tmp_path / "log", tmp_path / "installed"
    _tool(bin_dir, "python", FAKE_PYTHON.removeprefix("#!/bin/sh\n"))
    _tool(bin_dir, "id", f"echo {0 if root else 1000}")
    _tool(bin_dir, "uname", "echo Linux")
    _tool(bin_dir, "sudo", f'[ "$1" = -n ] && shift; {"" if sudo else "exit 1;"} "$@"')
    if apt:
        _tool(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}; [ "$1" = install ] && touch {mark}')
    lib = "\tlibgfortran.so.5 (libc6,x86-64) => /usr/lib/libgfortran.so.5" if gfortran else ""
    _tool(bin_dir, "ldconfig", f"printf '{lib}\\n'")
    for name in ("sh", "grep", "touch", "cat", "env"):
        real = subprocess.run(["sh", "-c", f"command -v {name}"], capture_output=True, text=True)
        (bin_dir / name).symlink_to(real.stdout.strip())
    env = {
        "PATH": str(bin_dir),
        "PYTHON": "python",
        "LOG": str(log),
        "MARK": str(mark),
        "SASTRE_BLAS_STAMP": str(tmp_path / "tried"),
        "PIP_WORKS": "1" if pip else "",
    }
    bash = subprocess.run(["sh", "-c", "command -v bash"], capture_output=True, text=True)
    out = subprocess.run(
        [bash.stdout.strip(), str(ROOT / "scripts" / "openblas.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out, (log.read_text() if log.exists() else ""), mark.exists()


def test_root_with_apt_installs_debian_openblas(tmp_path):
    out, log, installed = run_script(tmp_path, root=True, sudo=False, apt=True, gfortran=False)
    assert "apt-get install -y -q libopenblas0-pthread" in log and installed
    assert out.returncode == 0 and "slow" not in out.stderr


def test_passwordless_sudo_is_used(tmp_path):
    out, log, installed = run_script(tmp_path, root=False, sudo=True, apt=True, gfortran=False)
    assert "apt-get install" in log and installed


def test_pip_openblas_where_libgfortran_is_there(tmp_path):
    out, log, installed = run_script(
        tmp_path, root=False, sudo=False, apt=True, gfortran=True, pip=True
    )
    assert "apt-get" not in log and "pip install" in log and "cmeel-openblas" in log
    assert installed and "slow" not in out.stderr


def test_otherwise_one_line_says_what_is_slow_and_the_command(tmp_path):
    out, log, installed = run_script(tmp_path, root=False, sudo=False, apt=True, gfortran=False)
    assert not installed and "apt-get" not in log
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "slow" in lines[0] and "Fix: " in lines[0]


def test_setup_runs_the_fast_path():
    assert "scripts/openblas.sh" in (ROOT / "scripts" / "setup.sh").read_text()


def test_a_pip_openblas_is_found_and_the_fix_command_fits_the_machine(tmp_path):
    lib = tmp_path / "cmeel.prefix" / "lib"
    lib.mkdir(parents=True)
    (lib / "libopenblas.so.0").write_bytes(b"")
    if not any(os.path.exists(p) for p in plat._OPENBLAS_CANDIDATES):
        assert plat.find_openblas([str(tmp_path)]) == str(lib / "libopenblas.so.0")
    assert str(lib / "libopenblas.so.0") in plat.openblas_candidates([str(tmp_path)])

    def only(*names):
        return lambda n: f"/usr/bin/{n}" if n in names else None

    assert plat.openblas_fix(only("apt-get"), is_root=False) == (
        "sudo apt-get install libopenblas0-pthread"
    )
    assert plat.openblas_fix(only("apt-get"), is_root=True).startswith("apt-get install")
    assert "pip install cmeel-openblas" in plat.openblas_fix(only(), False, gfortran=True)


@pytest.mark.skipif(not os.path.exists("/usr/bin/apt-get"), reason="Debian-family only")
def test_doctor_names_the_fix_when_blas_is_slow(monkeypatch):
    from engine import doctor

    monkeypatch.setattr(plat, "blas_info", lambda: ("reference (bundled with MLX)", None))
    check = next(c for c in doctor.collect(check_hub=False) if c.name == "blas")
    assert not check.ok and "slow" in check.fix and "libopenblas0-pthread" in check.fix
