"""LibreOffice plays the liaison: a JSON script of steps run against one headless soffice, driven through UNO.

Run with a python that has `uno` (Debian: /usr/bin/python3 with python3-uno), never the project venv:

    /usr/bin/python3 tests/liaison/uno_liaison.py SCRIPT.json RESULT.json

SCRIPT.json: {"work": DIR, "profile": DIR, "steps": [{"op": ..., ...}, ...]}
  work     folder for soffice.pid / soffice.log of this run (must exist)
  profile  the LibreOffice user profile (UserInstallation); one per test run, reused by its scripts
RESULT.json: {"ok": bool, "steps": [one dict per step run], "error": str|null, "trace": str|null,
              "attempts": int, "seconds": float, "soffice_log": str}

Everything a liaison does goes through the user interface's own commands (the dispatcher): typing is
".uno:GoToCell" + ".uno:EnterString" in Calc (input recognition, validation and protection apply, as when
a person types and presses Enter) and a cursor move + ".uno:InsertText" in Writer; sorting is Data > Sort
(".uno:DataSort" with its arguments, so no dialog), copying and pasting are ".uno:Copy"/".uno:Paste",
inserting rows ".uno:InsertRowsBefore", the Delete key ".uno:ClearContents". Only what a person does
through a dialog that headless soffice cannot show goes through the API: Tools > Protect Sheet off
(sheet.unprotect("") — Calc asks no password for a sheet protected without one), Format > Sheet > Show/Hide
(IsVisible), clicking a sheet tab (setActiveSheet), and File > Save As (storeToURL with the filter).

Steps (doc = a name the script gives a document; sheet = a name or 0-based index, default the active one):
  open       {doc, path}                     File > Open, as a double click (not read-only, not a template)
  new_calc   {doc}                           File > New > Spreadsheet
  activate   {doc, sheet, show?}             click the sheet tab (show: Format > Sheet > Show first)
  hide       {doc, sheet}                    Format > Sheet > Hide (another visible sheet becomes active)
  unprotect  {doc, sheet?}                   Tools > Protect Sheet (off)
  type       {doc, cells: [[addr, text],..]} Calc: type into the active sheet; returns what each cell shows
  clear      {doc, cells: [addr,..]}         Calc: select the cell, press Delete
  select     {doc, range}                    Calc: select a range (or a cell)
  sort       {doc, range, key, descending?}  Calc: select `range`, Data > Sort by column `key` (a letter)
  copy       {doc, range? | row?}            Calc: select a range, or a whole row (click its header), Ctrl+C
  paste      {doc, at}                       Calc: click the cell, Ctrl+V
  insert_rows {doc, at}                      Calc: select the cell, Sheet > Insert Rows > Rows Above
  read       {doc, sheet?, range?}           Calc: what the cells show (default: the used area from A1)
  writer_type {doc, table?, cells: [[name, text],..]}  Writer: click into the table cell, type
  writer_read {doc, table?}                  Writer: the table's cells as shown (rows of strings)
  save       {doc, path, filter?}            File > Save As (filter from the suffix when not given)
  close      {doc}                           close without saving

The driver refuses (DriverError) what would make soffice show an error box — typing into a locked cell
of a protected sheet, sorting locked cells, inserting rows or pasting on a protected sheet — because in
headless LibreOffice 7.4 the second such box in one process can crash soffice; a liaison would unprotect
the sheet first (the script says so with an "unprotect" step). If soffice itself dies during a script,
the whole script is run once more on a fresh soffice with a fresh profile, after removing the lock files
the dead one left beside the files it had open (steps read their inputs and write fresh outputs, so a
rerun is the same run).

The soffice started here has its own port, is stopped by its own pid (never by name), and dies with this
process (PR_SET_PDEATHSIG), so a test runner that kills the driver on a timeout leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback

import uno
from com.sun.star.beans import PropertyValue

CALC_FILTERS = {".xlsx": "Calc MS Excel 2007 XML", ".xls": "MS Excel 97", ".ods": "calc8"}
WRITER_FILTERS = {".docx": "MS Word 2007 XML", ".doc": "MS Word 97", ".odt": "writer8"}


class DriverError(Exception):
    """A step the script asked for that this driver will not or cannot do (a script mistake)."""


class OfficeGone(Exception):
    """soffice died or the UNO bridge broke during the script."""


def pv(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


# ---------------------------------------------------------------- soffice process


def soffice_binary():
    """soffice.bin itself when found (so the pid we hold is the office, not the oosplash wrapper)."""
    exe = os.environ.get("SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise RuntimeError("soffice not found (set SOFFICE or put soffice on PATH)")
    real = os.path.realpath(exe)
    cand = os.path.join(os.path.dirname(real), "soffice.bin")
    return cand if os.path.isfile(cand) and os.access(cand, os.X_OK) else real


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listen_inodes(port):
    try:
        with open("/proc/net/tcp") as fh:
            lines = fh.read().splitlines()[1:]
    except OSError:
        return None
    inodes = set()
    for line in lines:
        f = line.split()
        if len(f) > 9 and f[3] == "0A" and int(f[1].split(":")[1], 16) == port:
            inodes.add(f[9])
    return inodes


def _listening(port, pid):
    """True once `pid` itself listens on `port` (not some other process that took the port meanwhile)."""
    inodes = _listen_inodes(port)
    if inodes is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", port)) == 0
    if not inodes:
        return False
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False


def die_with_parent(sig=signal.SIGTERM):
    """Linux: get `sig` when the parent process dies. No-op elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no libc / no prctl: not Linux
        pass


class Soffice:
    """A headless soffice with the given profile, on a free port; always stopped by its own pid."""

    def __init__(self, work, profile, start_timeout=120, attempt_timeout=40):
        self.work = os.path.abspath(work)
        self.profile = os.path.abspath(profile)
        self.pidfile = os.path.join(self.work, "soffice.pid")
        self.log = os.path.join(self.work, "soffice.log")
        self.start_timeout = start_timeout
        self.attempt_timeout = attempt_timeout
        self.proc = None
        self.port = None
        self.desktop = None
        self.wrapper = False

    def start(self):
        os.makedirs(self.profile, exist_ok=True)
        exe = soffice_binary()
        self.wrapper = os.path.basename(exe) != "soffice.bin"
        deadline = time.time() + self.start_timeout
        codes = []
        # a fresh profile makes soffice.bin exit (status 81) once after creating it: start again
        for _attempt in range(5):
            if time.time() >= deadline:
                break
            self.port = free_port()
            with open(self.log, "ab") as logfh:
                self.proc = subprocess.Popen(
                    [
                        exe,
                        "-env:UserInstallation=" + uno.systemPathToFileUrl(self.profile),
                        "--headless",
                        "--invisible",
                        "--norestore",
                        "--nologo",
                        "--nodefault",
                        "--nolockcheck",
                        f"--accept=socket,host=127.0.0.1,port={self.port};urp;",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=logfh,
                    stderr=logfh,
                    start_new_session=True,
                    # dies with this driver: the child only calls prctl(PR_SET_PDEATHSIG) before exec
                    preexec_fn=lambda: die_with_parent(signal.SIGKILL),  # noqa: PLW1509
                )
            with open(self.pidfile, "w") as fh:
                fh.write(f"{self.proc.pid}\n")
            until = min(deadline, time.time() + self.attempt_timeout)
            while time.time() < until:
                if self.proc.poll() is not None:
                    break
                if _listening(self.port, self.proc.pid):
                    return self
                time.sleep(0.2)
            if self.proc.poll() is None:
                self.stop()
                codes.append("no listen")
            else:
                codes.append(self.proc.returncode)
                self.proc = None
        raise RuntimeError(f"soffice ({exe}) did not start listening; attempts: {codes} (see {self.log})")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        p = self.proc
        if p is None:
            return
        steps = [(signal.SIGTERM, 8), (signal.SIGKILL, 5)]
        if p.poll() is None and self.desktop is not None:
            try:  # File > Exit: the clean way
                self.desktop.terminate()
                steps.insert(0, (None, 8))
            except Exception:  # noqa: BLE001, S110 - the bridge may be gone already: signals follow
                pass
        self.desktop = None
        for sig, wait in steps:
            if sig is not None and p.poll() is None:
                if self.wrapper:
                    try:
                        os.killpg(p.pid, sig)
                    except (ProcessLookupError, PermissionError):
                        p.send_signal(sig)
                else:  # not reaped yet, so this pid is still the soffice.bin we started
                    p.send_signal(sig)
            try:
                p.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.remove(self.pidfile)
        except OSError:
            pass
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def connect(port, tries=60):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx, last = None, None
    for _ in range(tries):
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception as exc:  # noqa: BLE001 - NoConnectException while soffice is still starting
            last = exc
            time.sleep(0.3)
    if ctx is None:
        raise OfficeGone(f"could not connect to soffice on port {port}: {last}")
    smgr = ctx.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    return ctx, smgr, desktop, dispatcher


def set_locale_zh(ctx, smgr):
    """Tools > Options > Language Settings > Locale setting: Chinese (PRC), as a Chinese user's Calc."""
    cp = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    acc = cp.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (pv("nodepath", "/org.openoffice.Setup/L10N"),),
    )
    acc.setPropertyValue("ooSetupSystemLocale", "zh-CN")
    acc.commitChanges()


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


# ---------------------------------------------------------------- addresses

_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")
_RANGE = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)(?::([A-Z]{1,3})([1-9][0-9]*))?$")


def col_index(letters):
    """A -> 0, Z -> 25, AA -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def col_letters(col):
    s = ""
    col += 1
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(ord("A") + r) + s
    return s


def parse_range(text):
    """ "A6:J43" -> (c0, r0, c1, r1), 0-based inclusive; "G6" -> a one-cell range."""
    m = _RANGE.match(str(text).strip().upper())
    if not m:
        raise DriverError(f"not a cell or range address: {text!r}")
    c0, r0 = col_index(m.group(1)), int(m.group(2)) - 1
    c1, r1 = (col_index(m.group(3)), int(m.group(4)) - 1) if m.group(3) else (c0, r0)
    return min(c0, c1), min(r0, r1), max(c0, c1), max(r0, r1)


# ---------------------------------------------------------------- the session


class Session:
    def __init__(self, ctx, smgr, desktop, dispatcher):
        self.ctx, self.smgr, self.desktop, self.dispatcher = ctx, smgr, desktop, dispatcher
        self.docs = {}

    # -- plumbing
    def doc(self, step):
        name = step.get("doc", "a")
        if name not in self.docs:
            raise DriverError(f"no open document named {name!r} (open it first)")
        return self.docs[name]

    def dispatch(self, doc, cmd, args=()):
        frame = doc.getCurrentController().getFrame()
        return self.dispatcher.executeDispatch(frame, cmd, "", 0, tuple(args))

    def goto(self, doc, address):
        self.dispatch(doc, ".uno:GoToCell", [pv("ToPoint", address)])

    @staticmethod
    def is_calc(doc):
        return doc.supportsService("com.sun.star.sheet.SpreadsheetDocument")

    @staticmethod
    def is_writer(doc):
        return doc.supportsService("com.sun.star.text.TextDocument")

    def calc(self, step):
        doc = self.doc(step)
        if not self.is_calc(doc):
            raise DriverError(f"{step['op']}: document {step.get('doc', 'a')!r} is not a spreadsheet")
        return doc

    def writer(self, step):
        doc = self.doc(step)
        if not self.is_writer(doc):
            raise DriverError(f"{step['op']}: document {step.get('doc', 'a')!r} is not a text document")
        return doc

    @staticmethod
    def sheet_of(doc, which):
        sheets = doc.getSheets()
        if which is None:
            return doc.getCurrentController().getActiveSheet()
        if isinstance(which, int):
            if not 0 <= which < sheets.getCount():
                raise DriverError(f"no sheet number {which}")
            return sheets.getByIndex(which)
        if not sheets.hasByName(which):
            raise DriverError(f"no sheet named {which!r} (sheets: {list(sheets.getElementNames())})")
        return sheets.getByName(which)

    @staticmethod
    def locked_cells(sheet, rng):
        """Addresses of locked cells in `rng` when `sheet` is protected (what Calc would refuse to change)."""
        if not sheet.isProtected():
            return []
        c0, r0, c1, r1 = rng
        out = []
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if sheet.getCellByPosition(c, r).CellProtection.IsLocked:
                    out.append(f"{col_letters(c)}{r + 1}")
                    if len(out) >= 3:
                        return out
        return out

    def refuse_protected(self, doc, what, rng=None):
        sheet = doc.getCurrentController().getActiveSheet()
        if rng is None:
            if sheet.isProtected():
                raise DriverError(
                    f"{what}: sheet {sheet.getName()!r} is protected; Calc would refuse "
                    "(add an 'unprotect' step first, as a liaison would)"
                )
            return
        locked = self.locked_cells(sheet, rng)
        if locked:
            raise DriverError(
                f"{what}: locked cells {locked} on protected sheet {sheet.getName()!r}; Calc would "
                "show the protected-cell box (add an 'unprotect' step first, as a liaison would)"
            )

    # -- steps
    def op_open(self, step):
        path = step["path"]
        if not os.path.isfile(path):
            raise DriverError(f"open: no such file {path}")
        args = (pv("Hidden", True), pv("AsTemplate", False), pv("ReadOnly", False))
        doc = self.desktop.loadComponentFromURL(url(path), "_blank", 0, args)
        if doc is None:
            lock = os.path.join(os.path.dirname(path), f".~lock.{os.path.basename(path)}#")
            why = f" (a lock file {lock} is there)" if os.path.exists(lock) else ""
            raise DriverError(f"open: LibreOffice could not load {path}{why}")
        self.docs[step.get("doc", "a")] = doc
        if doc.isReadonly():  # a stale lock file, say: the liaison's edits could not be saved over it
            raise DriverError(f"open: LibreOffice opened {path} read-only")
        kind = "calc" if self.is_calc(doc) else "writer" if self.is_writer(doc) else "other"
        out = {"kind": kind}
        if kind == "calc":
            out["sheets"] = list(doc.getSheets().getElementNames())
        return out

    def op_new_calc(self, step):
        doc = self.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (pv("Hidden", True),))
        self.docs[step.get("doc", "a")] = doc
        return {"kind": "calc"}

    def op_activate(self, step):
        doc = self.calc(step)
        sheet = self.sheet_of(doc, step["sheet"])
        if step.get("show"):
            sheet.IsVisible = True
        if not sheet.IsVisible:
            raise DriverError(f"activate: sheet {sheet.getName()!r} is hidden (pass show: true)")
        doc.getCurrentController().setActiveSheet(sheet)
        return {"sheet": sheet.getName()}

    def op_hide(self, step):
        doc = self.calc(step)
        sheet = self.sheet_of(doc, step["sheet"])
        ctl = doc.getCurrentController()
        if ctl.getActiveSheet().getName() == sheet.getName():
            sheets = doc.getSheets()
            others = [sheets.getByIndex(i) for i in range(sheets.getCount())]
            others = [s for s in others if s.IsVisible and s.getName() != sheet.getName()]
            if not others:
                raise DriverError("hide: the last visible sheet cannot be hidden")
            ctl.setActiveSheet(others[0])
        sheet.IsVisible = False
        return {"sheet": sheet.getName()}

    def op_unprotect(self, step):
        doc = self.calc(step)
        sheet = self.sheet_of(doc, step.get("sheet"))
        was = bool(sheet.isProtected())
        sheet.unprotect("")
        if sheet.isProtected():
            raise DriverError(f"unprotect: sheet {sheet.getName()!r} is still protected (a password?)")
        return {"sheet": sheet.getName(), "was_protected": was}

    def op_type(self, step):
        doc = self.calc(step)
        sheet = doc.getCurrentController().getActiveSheet()
        shown = {}
        for address, text in step["cells"]:
            rng = parse_range(address)
            if rng[:2] != rng[2:]:
                raise DriverError(f"type: {address!r} is not one cell")
            self.refuse_protected(doc, f"type {address}", rng)
            self.goto(doc, address)
            self.dispatch(doc, ".uno:EnterString", [pv("StringName", str(text))])
            shown[address] = sheet.getCellByPosition(rng[0], rng[1]).getString()
        return {"sheet": sheet.getName(), "shown": shown}

    def op_clear(self, step):
        doc = self.calc(step)
        sheet = doc.getCurrentController().getActiveSheet()
        shown = {}
        for address in step["cells"]:
            rng = parse_range(address)
            self.refuse_protected(doc, f"clear {address}", rng)
            self.goto(doc, address)
            # the Delete key: contents (text, numbers, dates, formulas, comments), not the formats
            self.dispatch(doc, ".uno:ClearContents", [pv("Flags", "SVDFN")])
            shown[address] = sheet.getCellByPosition(rng[0], rng[1]).getString()
        return {"shown": shown}

    def op_select(self, step):
        doc = self.calc(step)
        parse_range(step["range"])
        self.goto(doc, step["range"])
        return {"selected": self.selection(doc)}

    @staticmethod
    def selection(doc):
        sel = doc.getCurrentSelection()
        try:
            a = sel.getRangeAddress()
        except AttributeError:  # not a cell range (a drawing object, say)
            return None
        return f"{col_letters(a.StartColumn)}{a.StartRow + 1}:{col_letters(a.EndColumn)}{a.EndRow + 1}"

    def op_sort(self, step):
        doc = self.calc(step)
        rng = parse_range(step["range"])
        key = col_index(str(step["key"]).upper())
        if not rng[0] <= key <= rng[2]:
            raise DriverError(f"sort: key column {step['key']} is outside {step['range']}")
        self.refuse_protected(doc, "sort", rng)
        self.goto(doc, step["range"])
        selected = self.selection(doc)
        args = [
            pv("ByRows", True),
            pv("HasHeader", bool(step.get("header", False))),
            pv("CaseSensitive", False),
            pv("NaturalSort", False),
            pv("IncludeAttribs", True),
            pv("UserDefIndex", 0),
            pv("Col1", key - rng[0] + 1),
            pv("Ascending1", not bool(step.get("descending", False))),
        ]
        self.dispatch(doc, ".uno:DataSort", args)
        return {"selected": selected}

    def op_copy(self, step):
        doc = self.calc(step)
        if "row" in step:
            self.goto(doc, f"A{int(step['row'])}")
            self.dispatch(doc, ".uno:SelectRow")
        else:
            parse_range(step["range"])
            self.goto(doc, step["range"])
        selected = self.selection(doc)
        self.dispatch(doc, ".uno:Copy")
        return {"selected": selected}

    def op_paste(self, step):
        doc = self.calc(step)
        sheet = doc.getCurrentController().getActiveSheet()
        parse_range(step["at"])
        self.refuse_protected(doc, "paste")
        used = self.used_area(sheet)
        self.goto(doc, step["at"])
        self.dispatch(doc, ".uno:Paste")
        after = self.used_area(sheet)
        return {"used_before": used, "used_after": after}

    def op_insert_rows(self, step):
        doc = self.calc(step)
        parse_range(step["at"])
        self.refuse_protected(doc, "insert rows")
        self.goto(doc, step["at"])
        self.dispatch(doc, ".uno:InsertRowsBefore")
        return {}

    @staticmethod
    def used_area(sheet):
        cur = sheet.createCursor()
        cur.gotoEndOfUsedArea(False)
        a = cur.getRangeAddress()
        return {"last_col": col_letters(a.EndColumn), "last_row": a.EndRow + 1}

    def op_read(self, step):
        doc = self.calc(step)
        sheet = self.sheet_of(doc, step.get("sheet"))
        if step.get("range"):
            c0, r0, c1, r1 = parse_range(step["range"])
        else:
            a = self.used_area(sheet)
            c0, r0, c1, r1 = 0, 0, col_index(a["last_col"]), a["last_row"] - 1
        grid = [
            [sheet.getCellByPosition(c, r).getString() for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)
        ]
        return {
            "sheet": sheet.getName(),
            "first_row": r0 + 1,
            "first_col": col_letters(c0),
            "grid": grid,
            "protected": bool(sheet.isProtected()),
            "visible": bool(sheet.IsVisible),
        }

    def table(self, doc, step):
        tables = doc.getTextTables()
        which = step.get("table", 0)
        if isinstance(which, int):
            if not 0 <= which < tables.getCount():
                raise DriverError(f"no text table number {which} (the document has {tables.getCount()})")
            return tables.getByIndex(which)
        return tables.getByName(which)

    def op_writer_type(self, step):
        doc = self.writer(step)
        table = self.table(doc, step)
        cursor = doc.getCurrentController().getViewCursor()
        shown = {}
        for name, text in step["cells"]:
            cell = table.getCellByName(name)
            if cell is None:
                raise DriverError(f"writer_type: no cell {name!r} in the table")
            info = cell.getPropertySetInfo()
            if info.hasPropertyByName("IsProtected") and cell.getPropertyValue("IsProtected"):
                raise DriverError(f"writer_type: cell {name} is protected")
            cursor.gotoRange(cell.getText().getEnd(), False)  # click at the end of the cell's text
            self.dispatch(doc, ".uno:InsertText", [pv("Text", str(text))])
            shown[name] = cell.getString()
        return {"shown": shown}

    def op_writer_read(self, step):
        doc = self.writer(step)
        table = self.table(doc, step)
        rows = {}
        for name in table.getCellNames():
            m = _CELL.match(name)
            if not m:
                continue
            rows.setdefault(int(m.group(2)), {})[col_index(m.group(1))] = table.getCellByName(
                name
            ).getString()
        grid = [[cols[c] for c in sorted(cols)] for _, cols in sorted(rows.items())]
        return {"grid": grid}

    def op_save(self, step):
        doc = self.doc(step)
        path = os.path.abspath(step["path"])
        suffix = os.path.splitext(path)[1].lower()
        filters = CALC_FILTERS if self.is_calc(doc) else WRITER_FILTERS if self.is_writer(doc) else {}
        flt = step.get("filter") or filters.get(suffix)
        if not flt:
            raise DriverError(f"save: no filter for {suffix!r} from this kind of document")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.remove(path)
        doc.storeToURL(url(path), (pv("FilterName", flt), pv("Overwrite", True)))
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise DriverError(f"save: {path} was not written")
        return {"path": path, "filter": flt, "size": os.path.getsize(path)}

    def op_close(self, step):
        name = step.get("doc", "a")
        doc = self.docs.pop(name, None)
        if doc is None:
            raise DriverError(f"close: no open document named {name!r}")
        doc.close(True)
        return {}

    def close_all(self):
        for doc in list(self.docs.values()):
            try:
                doc.close(True)
            except Exception:  # noqa: BLE001, S110 - closing what is left after a failed step: best effort
                pass
        self.docs.clear()

    def run(self, steps, results):
        for i, step in enumerate(steps):
            op = step.get("op")
            fn = getattr(self, f"op_{op}", None)
            if fn is None:
                raise DriverError(f"step {i}: unknown op {op!r}")
            try:
                out = fn(step)
            except DriverError as exc:
                raise DriverError(f"step {i} ({op}): {exc}") from None
            results.append({"op": op, **(out or {})})


def _gone(exc, so):
    """Did soffice die (or the bridge break) rather than the step fail?"""
    time.sleep(0.5)  # a crashing soffice takes a moment to be gone
    if not so.alive():
        return True
    name = type(exc).__name__
    return name in {"DisposedException", "OfficeGone"} or "Binary URP bridge" in str(exc)


def _remove_stale_locks(steps, profile):
    """The ".~lock.NAME#" files a killed soffice left beside the files it had open, naming its profile
    (only those: another program's lock is not ours to remove). Headless, the next soffice would refuse to
    open a locked file, as nobody can answer "open read-only?"."""
    owner = uno.systemPathToFileUrl(os.path.abspath(profile))
    for step in steps:
        if step.get("op") != "open" or not step.get("path"):
            continue
        path = os.path.abspath(step["path"])
        lock = os.path.join(os.path.dirname(path), f".~lock.{os.path.basename(path)}#")
        try:
            with open(lock, encoding="utf-8", errors="replace") as fh:
                mine = owner in fh.read()
        except OSError:
            continue
        if mine:
            os.remove(lock)


def run_script(script):
    work = script["work"]
    profile = script.get("profile") or os.path.join(work, "lo_profile")
    steps = script["steps"]
    attempts = 0
    while True:
        attempts += 1
        results = []
        if attempts > 1:  # after a crash: a fresh profile of the script's own (the shared one may be damaged)
            _remove_stale_locks(steps, profile)
            profile = os.path.join(work, "lo_profile_retry")
            shutil.rmtree(profile, ignore_errors=True)
        so = Soffice(work, profile)
        try:
            so.start()
            ctx, smgr, desktop, dispatcher = connect(so.port)
            so.desktop = desktop
            set_locale_zh(ctx, smgr)
            session = Session(ctx, smgr, desktop, dispatcher)
            try:
                session.run(steps, results)
            finally:
                if so.alive():
                    session.close_all()
            return {"ok": True, "steps": results, "error": None, "trace": None, "attempts": attempts}
        except DriverError as exc:
            return {
                "ok": False,
                "steps": results,
                "error": f"DriverError: {exc}",
                "trace": None,
                "attempts": attempts,
            }
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            if _gone(exc, so) and attempts < 2:
                continue  # soffice crashed under us: the same script once more on a fresh soffice
            return {
                "ok": False,
                "steps": results,
                "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(),
                "attempts": attempts,
                "soffice_died": not so.alive(),
            }
        finally:
            so.stop()


def _log_tail(work, n=2000):
    try:
        with open(os.path.join(work, "soffice.log"), "rb") as fh:
            return fh.read()[-n:].decode("utf-8", "replace")
    except OSError:
        return ""


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: uno_liaison.py SCRIPT.json RESULT.json\n")
        return 2

    def on_term(signum, frame):  # `timeout`/a test runner's SIGTERM: leave through finally, stop soffice
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    die_with_parent(signal.SIGTERM)
    with open(argv[1], encoding="utf-8") as fh:
        script = json.load(fh)
    started = time.time()
    result = run_script(script)
    result["seconds"] = round(time.time() - started, 2)
    result["soffice_log"] = _log_tail(script["work"])
    with open(argv[2], "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
