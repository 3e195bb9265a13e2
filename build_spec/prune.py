"""What the portable build leaves out, in one place: the spec's `excludes` and file filter, and the prune
of the built folder (`prune_folder`), which build.py runs after PyInstaller's COLLECT.

`excludes` alone is not enough: PyInstaller's Qt hooks collect plugins for every Qt module that is
imported, and each plugin brings its own libraries (the GTK3 platform theme alone pulls in GTK, GDK,
Pango, Cairo, ATK: 20 MB). So the folder is pruned by path rules (`dropped`), then the libraries at the
top of `_internal` that no kept binary needs any more are removed too (`orphans`, read from each ELF
file's DT_NEEDED; Linux only: a Windows wheel's Qt brings no system libraries).

No PyInstaller import here: the tests check the rules on a fake folder without building.
"""

from __future__ import annotations

import fnmatch
import json
import struct
from pathlib import Path, PurePosixPath

# ---------------------------------------------------------------------------------------------- modules
# Python modules the program never imports (Qt modules by name, so their hooks collect no plugins).
UNUSED_QT_MODULES = (
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtDBus", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtVirtualKeyboard",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore", "PySide6.QtSql",
    "PySide6.QtTest", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtDesigner", "PySide6.QtUiTools",
    "PySide6.QtHelp", "PySide6.QtMultimedia", "PySide6.QtNetworkAuth", "PySide6.QtStateMachine",
    "PySide6.QtWaylandCompositor", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
)
UNUSED_MODULES = (
    "tkinter", "numpy", "pandas", "PIL",
    # pdfplumber imports pypdfium2 only to render page images (pdfplumber.display), which we never do
    "pypdfium2", "pypdfium2_raw",
    "lxml.objectify", "lxml.isoschematron",
    "unittest", "pydoc", "doctest", "pdb", "xmlrpc", "lib2to3", "setuptools", "pkg_resources", "distutils", "pip",
)
EXCLUDES = [*UNUSED_MODULES, *UNUSED_QT_MODULES]

# ---------------------------------------------------------------------------------------------- files
QT_PREFIXES = ("PySide6/Qt/", "PySide6/")  # Linux wheel layout, Windows wheel layout
# Qt libraries (Linux libQt6X.so.6 at Qt/lib and as links at the top, Windows Qt6X.dll) of modules not shipped.
# Qt6DBus stays: libQt6Gui needs it, and so does the ibus input-method plugin (Chinese input on Linux).
UNUSED_QT_LIBS = ("Network", "Qml*", "Quick*", "OpenGL*", "Wayland*", "WlShell*", "EglFS*", "EglFs*",
                  "VirtualKeyboard*", "Pdf*")
UNUSED_BINDINGS = tuple(m.split(".", 1)[1] for m in UNUSED_QT_MODULES)  # PySide6/QtNetwork.abi3.so / .pyd
# Plugin folders not needed at all: networking, wayland, EGL/KMS and framebuffer input, GL on xcb.
UNUSED_PLUGIN_DIRS = ("tls", "networkinformation", "wayland-decoration-client", "wayland-graphics-integration-client",
                      "wayland-shell-integration", "egldeviceintegrations", "xcbglintegrations", "generic",
                      "qmltooling", "virtualkeyboard", "sqldrivers", "position", "multimedia")
# Single plugins: the platforms kept are xcb (Linux desktop), windows, offscreen and minimal (selftest, CI).
UNUSED_PLUGINS = (
    "platforms/*wayland*", "platforms/*eglfs*", "platforms/*linuxfb*", "platforms/*vnc*", "platforms/*minimalegl*",
    "platforms/*vkkhrdisplay*", "platforms/*direct2d*",
    "platformthemes/*gtk3*", "platforminputcontexts/*virtualkeyboard*",
    "imageformats/*icns*", "imageformats/*tga*", "imageformats/*tiff*", "imageformats/*wbmp*", "imageformats/*webp*",
    "imageformats/*pdf*",
)
# Qt's own translations: only Chinese (the program loads its qtbase_zh_CN.qm from resources/translations;
# these are kept for Qt's own dialogs should it look there).
KEPT_TRANSLATIONS = ("qt_zh_CN.qm", "qtbase_zh_CN.qm")
# Windows: Mesa's software OpenGL (20 MB) for machines without a GL driver: widgets never use OpenGL.
UNUSED_FILES = ("opengl32sw.dll",)
# Libraries taken from the system instead, with what only they need: libcups (the print plugin loads
# against the system's CUPS, which every desktop with a printer has; without it the print dialog offers
# PDF only), and libdbus-1 (libQt6DBus links it; every desktop has it, and the system's own matches its
# D-Bus daemon and its libsystemd, where the build machine's would bring its libsystemd and libgcrypt along).
SYSTEM_LIBS = ("libcups.so.*", "libdbus-1.so.*")
# opencc: the program converts with t2s only (app/core/text.py); its C library's headers, static library and
# command-line tool are never loaded.
OPENCC_SHARE = "opencc/clib/share/opencc/"
OPENCC_CONFIG = "t2s.json"
OPENCC_UNUSED = ("opencc/clib/include/*", "opencc/clib/lib64/*", "opencc/clib/lib/*", "opencc/clib/bin/*")
# pdfminer's CMaps: the Japanese and Korean ones are not needed for Chinese PDFs (GB1 and CNS1 stay).
PDFMINER_CMAP = "pdfminer/cmap/"
# Hong Kong's (HKSCS) go too; Taiwan's (CNS1, Big5) stay for a plan typed in traditional characters.
CMAP_UNUSED = ("UniJIS*", "UniKS*", "KSC*", "*RKSJ*", "78*", "83pv*", "90*", "Add-*", "Ext-*", "EUC-*", "H.*",
               "V.*", "Hankaku*", "Hiragana*", "Katakana*", "NWP-*", "WP-*", "Roman*", "*Japan1*", "*Korea1*",
               "HK*", "ETHK*")


def _qt_lib_name(name: str) -> str | None:
    """`Network` for libQt6Network.so.6 / Qt6Network.dll, else None."""
    for prefix in ("libQt6", "Qt6"):
        if name.startswith(prefix):
            stem = name[len(prefix):]
            for suffix in (".so.6", ".dll"):
                if stem.endswith(suffix) or suffix + "." in stem:
                    return stem.split(".")[0]
    return None


def _below(text: str, folder: str) -> str | None:
    """The rest of `text` below Qt's `folder` (PySide6/Qt/plugins/ on Linux, PySide6/plugins/ on Windows)."""
    for prefix in QT_PREFIXES:
        if text.startswith(prefix + folder):
            return text[len(prefix + folder):]
    return None


def dropped(relpath: str, opencc_keep: frozenset[str] = frozenset()) -> bool:
    """Whether a file of the bundle (path relative to `_internal`, '/' separated) is left out.

    `opencc_keep`: the dictionary files t2s.json names (opencc's other data files go)."""
    path = PurePosixPath(relpath)
    name = path.name
    text = path.as_posix()
    qt_lib = _qt_lib_name(name)
    if qt_lib is not None and any(fnmatch.fnmatch(qt_lib, p) for p in UNUSED_QT_LIBS):
        return True
    if text.startswith("PySide6/") and len(path.parts) == 2 and name.split(".")[0] in UNUSED_BINDINGS:
        return True
    plugin = _below(text, "plugins/")
    if plugin is not None:
        sub = PurePosixPath(plugin)
        if sub.parts and sub.parts[0] in UNUSED_PLUGIN_DIRS:
            return True
        if any(fnmatch.fnmatch(sub.as_posix(), p) for p in UNUSED_PLUGINS):
            return True
    if _below(text, "translations/") is not None and name.endswith(".qm"):
        return name not in KEPT_TRANSLATIONS
    if name in UNUSED_FILES:
        return True
    if len(path.parts) == 1 and any(fnmatch.fnmatch(name, p) for p in SYSTEM_LIBS):
        return True
    if any(fnmatch.fnmatch(text, p) for p in OPENCC_UNUSED):
        return True
    if text.startswith(OPENCC_SHARE) and opencc_keep:
        return name != OPENCC_CONFIG and name not in opencc_keep
    if text.startswith(PDFMINER_CMAP):
        return any(fnmatch.fnmatch(name, p) for p in CMAP_UNUSED)
    return False


def opencc_files(config: Path) -> frozenset[str]:
    """The dictionary files an opencc config (t2s.json) names."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.add(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(config.read_text(encoding="utf-8")))
    return frozenset(found)


def filter_toc(toc: list[tuple], opencc_keep: frozenset[str] = frozenset()) -> list[tuple]:
    """A PyInstaller TOC (dest name, source, type) without the dropped entries (for a.binaries / a.datas)."""
    return [entry for entry in toc if not dropped(entry[0].replace("\\", "/"), opencc_keep)]


# ---------------------------------------------------------------------------------------------- ELF
def elf_needed(path: Path) -> list[str] | None:
    """The DT_NEEDED names of a 64-bit little-endian ELF file, or None when it is not one."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    e_phoff, = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    loads: list[tuple[int, int, int]] = []
    dynamic: tuple[int, int] | None = None
    for i in range(e_phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == 1:  # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == 2:  # PT_DYNAMIC
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return []
    needed: list[int] = []
    strtab = None
    for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, value = struct.unpack_from("<qQ", data, off)
        if tag == 0:
            break
        if tag == 1:
            needed.append(value)
        elif tag == 5:
            strtab = value
    if strtab is None:
        return []
    base = next((strtab - vaddr + offset for vaddr, offset, size in loads if vaddr <= strtab < vaddr + size), None)
    if base is None:
        return []
    return [data[base + n:data.index(b"\0", base + n)].decode("ascii", "replace") for n in needed]


def orphans(internal: Path, executables: list[Path]) -> list[Path]:
    """Shared libraries at the top of `internal` that no kept binary needs (directly or through another).

    Roots: the executables, libpython, the extension modules at the top (_cffi_backend…: Python imports them)
    and every ELF file below the top (extension modules, Qt's libraries and plugins, which Qt loads itself)."""
    top = {p.name: p for p in internal.iterdir()
           if p.name.startswith("lib") and ".so" in p.name and (p.is_file() or p.is_symlink())}
    roots = [*executables, *(p for p in top.values() if p.name.startswith("libpython"))]
    roots += [p for p in internal.iterdir() if p.is_file() and ".so" in p.name and p.name not in top]
    roots += [p for p in internal.rglob("*") if p.parent != internal and p.is_file() and not p.is_symlink()
              and ".so" in p.name]
    seen: set[str] = set()
    queue = list(roots)
    while queue:
        for name in elf_needed(queue.pop()) or []:
            if name in top and name not in seen:
                seen.add(name)
                queue.append(top[name].resolve())
    return sorted((p for name, p in top.items() if name not in seen and not name.startswith("libpython")),
                  key=lambda p: p.name)


# ---------------------------------------------------------------------------------------------- folder
def prune_folder(folder: Path, *, executables: list[Path] | None = None) -> list[tuple[str, int]]:
    """Remove from a built folder what the rules drop, then (Linux) the orphaned libraries, then dangling
    links and empty folders; returns (path relative to `folder`, bytes) of every file removed."""
    internal = folder / "_internal" if (folder / "_internal").is_dir() else folder
    config = internal / OPENCC_SHARE / OPENCC_CONFIG
    keep = opencc_files(config) if config.is_file() else frozenset()
    removed: list[tuple[str, int]] = []

    def remove(path: Path) -> None:
        size = 0 if path.is_symlink() else path.stat().st_size
        removed.append((path.relative_to(folder).as_posix(), size))
        path.unlink()

    for path in sorted(internal.rglob("*")):
        if (path.is_file() or path.is_symlink()) and dropped(path.relative_to(internal).as_posix(), keep):
            remove(path)
    if executables is not None:
        while True:  # a library dropped can orphan the ones only it needed
            found = orphans(internal, executables)
            if not found:
                break
            for path in found:
                remove(path)
    for path in sorted(internal.rglob("*"), reverse=True):
        if path.is_symlink() and not path.exists():
            remove(path)
        elif path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
    return removed
