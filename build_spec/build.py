"""Build the portable one-folder program and zip it: `python build_spec/build.py`.

Needs the `build` extra (`pip install -e .[build]`); builds for the system it runs on (the Windows
.exe on Windows). Steps: PyInstaller with build_spec/ledgerdesk.spec (dist/LedgerDesk: LedgerDesk
and ledgerdesk-cli), the prune of what the program never loads (build_spec/prune.py: unused Qt
plugins and the libraries they pulled in, Qt's other translations, PyInstaller's duplicate links),
a check that every library a kept binary needs is still found (Linux, `ldd`), portable.ini and
使用说明.txt beside the programs, then the zip (deflated) and the sizes.

`--no-prune` keeps everything (to measure what the prune saves); `--skip-pyinstaller` prunes and
zips the folder already built.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_spec" / "ledgerdesk.spec"
DIST = ROOT / "dist"
NAME = "LedgerDesk"
SHIPPED = ("portable.ini", "使用说明.txt")  # from build_spec/, beside the programs
# libraries a plugin may need that the build leaves to the system (prune.SYSTEM_LIBS): not an error
SYSTEM_PROVIDED = ("libcups.so.2", "libdbus-1.so.3")

sys.path.insert(0, str(ROOT / "build_spec"))
import prune


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from app import __version__

    return __version__


def platform_tag() -> str:
    if sys.platform.startswith("win"):
        return "windows-x64" if platform.machine().endswith("64") else "windows-x86"
    return f"{sys.platform.rstrip('0123456789')}-{platform.machine()}"


def folder_bytes(folder: Path) -> int:
    """Bytes of the files in `folder` (links not followed: a link costs nothing)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def executables(folder: Path) -> list[Path]:
    suffix = ".exe" if sys.platform.startswith("win") else ""
    return [folder / f"{NAME}{suffix}", folder / f"ledgerdesk-cli{suffix}"]


def run_pyinstaller() -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"), str(SPEC)],
                   cwd=ROOT, check=True)


def drop_links(folder: Path) -> list[tuple[str, int]]:
    """PyInstaller's links at the top of _internal (libQt6Core.so.6 → PySide6/Qt/lib/…): every library
    finds its neighbours through its own RUNPATH, and a zip would store each link as a second copy."""
    internal = folder / "_internal"
    removed = []
    for path in sorted(internal.iterdir()):
        if path.is_symlink():
            removed.append((path.relative_to(folder).as_posix(), 0))
            path.unlink()
    return removed


def missing_libraries(folder: Path) -> list[str]:
    """`ldd` of every ELF file of the folder, as the program loads it: what is "not found" (Linux only)."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return []
    internal = folder / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    problems = []
    for path in sorted([*executables(folder), *internal.rglob("*")]):
        if not path.is_file() or path.is_symlink() or prune.elf_needed(path) is None:
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False).stdout
        for line in out.splitlines():
            name = line.strip().split(" ")[0]
            if "not found" in line and name not in SYSTEM_PROVIDED:
                problems.append(f"{path.relative_to(folder)}: {name}")
    return problems


def glibc_needed(folder: Path) -> str | None:
    """The newest GLIBC_2.x symbol version a bundled binary asks for (`objdump -T`): the oldest glibc the
    build runs on. The bundled libraries come from the build machine, so build on the oldest system."""
    if not sys.platform.startswith("linux") or shutil.which("objdump") is None:
        return None
    newest = (0, 0)
    for path in [*executables(folder), *(folder / "_internal").rglob("*.so*")]:
        if not path.is_file() or path.is_symlink():
            continue
        out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True, check=False).stdout
        for word in (w.strip("()") for w in out.split()):
            if word.startswith("GLIBC_2.") and word[8:].replace(".", "").isdigit():
                newest = max(newest, tuple(int(n) for n in word[6:].split(".")[:2]))
    return f"{newest[0]}.{newest[1]}" if newest != (0, 0) else None


def add_shipped(folder: Path) -> None:
    for name in SHIPPED:
        shutil.copy2(ROOT / "build_spec" / name, folder / name)


class _LegacyNameInfo(zipfile.ZipInfo):
    """Chinese names in GBK without the UTF-8 flag: Windows Explorer's zip folder ignores the flag and
    reads names in the system code page (CP936 on Chinese Windows)."""

    def _encodeFilenameFlags(self):
        try:
            return self.filename.encode("ascii"), self.flag_bits
        except UnicodeEncodeError:
            return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_zip(folder: Path, archive: Path, *, legacy_names: bool) -> Path:
    """The folder (as its own top folder in the zip), deflated, file modes kept. zlib's default level:
    level 9 saves 0.4 MB of 68 and takes 2.5 times as long."""
    info_class = _LegacyNameInfo if legacy_names else zipfile.ZipInfo
    tmp = archive.with_name(archive.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_dir() or path.is_symlink():
                continue
            arcname = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            info = info_class.from_file(path, arcname)
            info.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as src, out.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, archive)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="构建便携版并打包为 zip")
    parser.add_argument("--no-prune", action="store_true", help="不删减（对比删减前的大小）")
    parser.add_argument("--skip-pyinstaller", action="store_true", help="只删减和打包已构建的文件夹")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    folder = DIST / NAME
    if not args.skip_pyinstaller:
        run_pyinstaller()
    built = time.perf_counter()
    before = folder_bytes(folder)
    removed: list[tuple[str, int]] = []
    if not args.no_prune:
        removed = prune.prune_folder(folder, executables=executables(folder) if sys.platform.startswith("linux")
                                     else None)
        removed += drop_links(folder)
        problems = missing_libraries(folder)
        if problems:
            print("错误：删减后缺少以下库（missing libraries after the prune）：", *problems, sep="\n  ", file=sys.stderr)
            return 1
    add_shipped(folder)
    after = folder_bytes(folder)
    archive = write_zip(folder, DIST / f"{NAME}-{version()}-{platform_tag()}.zip",
                        legacy_names=sys.platform.startswith("win"))
    (DIST / "pruned.txt").write_text("".join(f"{size}\t{path}\n" for path, size in removed), encoding="utf-8")
    print(f"folder {folder}: {mb(before)} built, {mb(after)} after pruning "
          f"({len(removed)} files removed, {mb(before - after)}; list in {DIST / 'pruned.txt'})")
    print(f"zip    {archive}: {mb(archive.stat().st_size)}")
    glibc = glibc_needed(folder)
    if glibc:
        print(f"runs on Linux with glibc {glibc} or newer (the bundled libraries come from this machine)")
    print(f"time   pyinstaller {built - started:.0f} s, prune and zip {time.perf_counter() - built:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
