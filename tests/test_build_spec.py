"""The portable build's rules, checked without building (a build takes minutes: build_spec/check.sh).

The spec excludes the Qt modules the program never imports; the prune of the built folder
(build_spec/prune.py, run by build.py after COLLECT) drops their plugins and libraries, keeps only the
Chinese Qt translations, and removes the libraries nothing kept needs any more; portable mode keeps
settings, the log, recent files and Qt's own settings beside the program.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_SPEC = ROOT / "build_spec"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"build_spec_{name}", BUILD_SPEC / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


prune = _load("prune")


def _spec_calls(name: str) -> list[ast.Call]:
    tree = ast.parse((BUILD_SPEC / "ledgerdesk.spec").read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == name]


def _keywords(call: ast.Call) -> dict[str, str]:
    return {k.arg: ast.unparse(k.value) for k in call.keywords if k.arg}


def test_the_spec_excludes_the_unused_qt_modules() -> None:
    (analysis,) = _spec_calls("Analysis")
    assert _keywords(analysis)["excludes"] == "prune.EXCLUDES"
    for module in ("PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtDBus", "PySide6.QtOpenGL",
                   "PySide6.QtVirtualKeyboard", "tkinter"):
        assert module in prune.EXCLUDES
    for kept in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtPrintSupport", "PySide6.QtSvg"):
        assert kept not in prune.EXCLUDES


def test_the_spec_builds_a_windowed_and_a_console_program_in_one_folder() -> None:
    programs = {_keywords(c)["name"]: _keywords(c)["console"] for c in _spec_calls("EXE")}
    assert programs == {"'LedgerDesk'": "False", "'ledgerdesk-cli'": "True"}
    assert len({name.lower() for name in programs}) == 2  # distinct on Windows too
    (collect,) = _spec_calls("COLLECT")
    assert [ast.unparse(a) for a in collect.args[:2]] == ["gui", "cli"]
    assert "prune.filter_toc(a.binaries" in (BUILD_SPEC / "ledgerdesk.spec").read_text(encoding="utf-8")


FAKE_TREE = [
    # Qt translations: only Chinese stays
    "PySide6/Qt/translations/qt_zh_CN.qm", "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "PySide6/Qt/translations/qt_de.qm", "PySide6/Qt/translations/qtbase_fr.qm",
    "PySide6/Qt/translations/qt_help_zh_CN.qm", "PySide6/Qt/translations/qtdeclarative_zh_CN.qm",
    "PySide6/translations/qt_ja.qm",
    # Linux Qt libraries and bindings
    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6DBus.so.6",
    "PySide6/Qt/lib/libQt6Network.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6QuickWidgets.so.6",
    "PySide6/Qt/lib/libQt6OpenGL.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/QtCore.abi3.so", "PySide6/QtNetwork.abi3.so", "PySide6/QtDBus.abi3.so", "PySide6/QtWidgets.abi3.so",
    # plugins
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqwayland-egl.so", "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so", "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt/plugins/imageformats/libqtiff.so",
    # Windows names
    "PySide6/Qt6Widgets.dll", "PySide6/Qt6Network.dll", "PySide6/Qt6Qml.dll", "PySide6/opengl32sw.dll",
    "PySide6/QtNetwork.pyd", "PySide6/plugins/platforms/qwindows.dll",
    # a system library the print plugin takes from the system
    "libcups.so.2", "libz.so.1",
    # opencc: t2s and its dictionaries only
    "opencc/clib/share/opencc/t2s.json", "opencc/clib/share/opencc/TSPhrases.ocd2",
    "opencc/clib/share/opencc/STPhrases.ocd2", "opencc/clib/share/opencc/s2t.json",
    "opencc/clib/lib64/libopencc.a", "opencc/clib/include/opencc/opencc.h", "opencc/clib/bin/opencc",
    # pdfminer: Chinese CMaps stay
    "pdfminer/cmap/UniGB-UCS2-H.json.gz", "pdfminer/cmap/UniCNS-UTF16-H.json.gz",
    "pdfminer/cmap/UniJIS-UCS2-H.json.gz", "pdfminer/cmap/KSC-EUC-H.json.gz", "pdfminer/cmap/to-unicode-Adobe-GB1.json.gz",
    "pdfminer/cmap/to-unicode-Adobe-Japan1.json.gz",
    # the program's own files
    "resources/translations/qtbase_zh_CN.qm", "resources/demo/000_0bb927241a205331.txt", "selftest/demo.ledger",
]
KEPT = {
    "PySide6/Qt/translations/qt_zh_CN.qm", "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6DBus.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/QtCore.abi3.so", "PySide6/QtWidgets.abi3.so",
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt6Widgets.dll", "PySide6/plugins/platforms/qwindows.dll", "libz.so.1",
    "opencc/clib/share/opencc/t2s.json", "opencc/clib/share/opencc/TSPhrases.ocd2",
    "pdfminer/cmap/UniGB-UCS2-H.json.gz", "pdfminer/cmap/UniCNS-UTF16-H.json.gz",
    "pdfminer/cmap/to-unicode-Adobe-GB1.json.gz",
    "resources/translations/qtbase_zh_CN.qm", "resources/demo/000_0bb927241a205331.txt", "selftest/demo.ledger",
}


def _fake_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "LedgerDesk"
    internal = folder / "_internal"
    for rel in FAKE_TREE:
        path = internal / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
    (internal / "opencc/clib/share/opencc/t2s.json").write_text(
        '{"conversion_chain": [{"dict": {"type": "group", "dicts": [{"type": "ocd2", "file": "TSPhrases.ocd2"}]}}]}',
        encoding="utf-8")
    return folder


def _files(folder: Path) -> set[str]:
    internal = folder / "_internal"
    return {p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()}


def test_prune_keeps_only_what_is_used(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path)
    removed = prune.prune_folder(folder)
    assert _files(folder) == KEPT
    assert {path for path, _ in removed} == {f"_internal/{rel}" for rel in FAKE_TREE} - {f"_internal/{k}" for k in KEPT}
    assert all(size == 10 for _, size in removed)
    assert not (folder / "_internal/PySide6/Qt/plugins/tls").exists()  # emptied folders go too


def test_prune_keeps_only_the_chinese_qt_translations(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path)
    prune.prune_folder(folder)
    translations = {p.name for p in (folder / "_internal/PySide6/Qt/translations").iterdir()}
    assert translations == {"qt_zh_CN.qm", "qtbase_zh_CN.qm"}
    assert not (folder / "_internal/PySide6/translations").exists()


def test_filter_toc_applies_the_same_rules_to_pyinstaller_entries() -> None:
    toc = [(rel, f"/src/{rel}", "BINARY") for rel in FAKE_TREE if not rel.startswith("opencc/")]
    kept = {dest for dest, _, _ in prune.filter_toc(toc)}
    assert kept == {k for k in KEPT if not k.startswith("opencc/")}
    windows = prune.filter_toc([("PySide6\\translations\\qt_de.qm", "x", "DATA"),
                                ("PySide6\\Qt6Network.dll", "x", "BINARY"), ("PySide6\\Qt6Core.dll", "x", "BINARY")])
    assert [dest for dest, _, _ in windows] == ["PySide6\\Qt6Core.dll"]


def test_orphaned_libraries_are_found_from_the_elf_dependencies(tmp_path: Path) -> None:
    program = Path(sys.executable).resolve()
    needed = prune.elf_needed(program)
    assert needed  # a dynamically linked interpreter needs at least libc (or libpython)
    internal = tmp_path / "_internal"
    internal.mkdir()
    # an extension module at the top (as _cffi_backend is): Python imports it, so it is a root, never an orphan
    shutil.copy2(program, internal / "_cffi_backend.cpython-311-x86_64-linux-gnu.so")
    for name in needed:
        (internal / name).write_bytes(b"not an ELF file")  # what it needs, at the top
    (internal / "libgtk-3.so.0").write_bytes(b"needed by nothing")
    assert prune.orphans(internal, []) == [internal / "libgtk-3.so.0"]
    assert prune.elf_needed(internal / "libgtk-3.so.0") is None
    # the same needs from an extension module below the top (PySide6/QtCore.abi3.so…)
    (internal / "_cffi_backend.cpython-311-x86_64-linux-gnu.so").rename(internal / "ext.so.tmp")
    (internal / "PySide6").mkdir()
    (internal / "ext.so.tmp").rename(internal / "PySide6" / "QtCore.abi3.so")
    assert prune.orphans(internal, []) == [internal / "libgtk-3.so.0"]
    (internal / "PySide6" / "QtCore.abi3.so").unlink()
    assert set(prune.orphans(internal, [])) == {internal / name for name in [*needed, "libgtk-3.so.0"]
                                                   if not name.startswith("libpython")}


def test_the_shipped_files_are_there_and_readable() -> None:
    guide = (BUILD_SPEC / "使用说明.txt").read_bytes()
    assert guide.startswith(b"\xef\xbb\xbf") and b"\r\n" in guide  # Notepad on older Windows
    text = guide.decode("utf-8-sig")
    for words in ("解压", "LedgerDesk", "完成并生成回收文件", "报回", ".ldpkg", "selftest"):
        assert words in text
    assert (BUILD_SPEC / "portable.ini").read_text(encoding="utf-8").startswith(";")


def test_portable_mode_keeps_everything_beside_the_program(tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtCore import QSettings, QStandardPaths

    from app.ui import config

    program = tmp_path / "LedgerDesk"
    program.mkdir()
    shutil.copy2(BUILD_SPEC / "portable.ini", program / config.PORTABLE_MARKER)
    monkeypatch.delenv("LEDGERDESK_CONFIG_DIR", raising=False)
    monkeypatch.setattr(config, "program_dir", lambda: program)
    default_qt = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    try:
        assert config.is_portable()
        assert config.settings_path() == program / "portable.ini"
        assert config.log_path() == program / "ledgerdesk.log"
        ledger = tmp_path / "a.ledger"
        config.add_recent(ledger)
        assert config.recent_files() == [ledger.resolve()]
        assert str(ledger.resolve()) in (program / "portable.ini").read_text(encoding="utf-8")
        qt_own = QSettings(QSettings.Scope.UserScope, "QtProject")
        assert Path(qt_own.fileName()).parent == program
        assert sorted(p.name for p in tmp_path.iterdir()) == ["LedgerDesk"]
    finally:
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, default_qt)


def test_the_zip_keeps_modes_and_names_chinese_files_for_each_system(tmp_path: Path) -> None:
    build = _load("build")
    folder = tmp_path / "LedgerDesk"
    (folder / "_internal").mkdir(parents=True)
    (folder / "LedgerDesk").write_bytes(b"\x7fELF program")
    (folder / "LedgerDesk").chmod(0o755)
    (folder / "使用说明.txt").write_text("说明", encoding="utf-8")
    (folder / "_internal" / "a.pyc").write_bytes(b"x" * 1000)
    for legacy in (False, True):
        archive = build.write_zip(folder, tmp_path / f"out-{legacy}.zip", legacy_names=legacy)
        with zipfile.ZipFile(archive, metadata_encoding="gbk" if legacy else None) as z:
            infos = {i.filename: i for i in z.infolist()}
            assert set(infos) == {"LedgerDesk/LedgerDesk", "LedgerDesk/使用说明.txt", "LedgerDesk/_internal/a.pyc"}
            assert (infos["LedgerDesk/LedgerDesk"].external_attr >> 16) & 0o777 == 0o755
            assert bool(infos["LedgerDesk/使用说明.txt"].flag_bits & 0x800) is not legacy  # UTF-8 flag: Linux only
            assert infos["LedgerDesk/_internal/a.pyc"].compress_type == zipfile.ZIP_DEFLATED
            assert z.read("LedgerDesk/使用说明.txt").decode("utf-8") == "说明"
        if legacy:
            assert "使用说明.txt".encode("gbk") in archive.read_bytes()
