"""What the engine's Python leaves out of Pyodide's standard library.

The worker's Python runs only numpy, bgcut and our glue; a first visit should not download mail,
XML, test and debugger modules for it (docs/BENCHMARKS.md, first visit). The list names what no
import in that path reaches (checked by importing everything the engine runs and reading
``sys.modules``; the browser suites run every engine path on the trimmed archive). Charmap codec
tables go too: the engine never decodes text in legacy code pages (zipfile's cp437 stays).
"""

from __future__ import annotations

import re

DROPPED_TOP_LEVEL = frozenset({
    "__hello__.py", "__phello__", "_pyio.py", "aifc.py", "antigravity.py", "bdb.py", "cProfile.py",
    "cgi.py", "cgitb.py", "chunk.py", "configparser.py", "crypt.py", "difflib.py", "doctest.py",
    "ftplib.py", "getpass.py", "html", "imaplib.py", "imghdr.py", "mailbox.py", "mailcap.py",
    "modulefinder.py", "multiprocessing", "netrc.py", "nntplib.py", "optparse.py", "pdb.py",
    "pickletools.py", "pipes.py", "poplib.py", "profile.py", "pstats.py", "pty.py", "pyclbr.py",
    "pydoc.py", "shelve.py", "smtplib.py", "sndhdr.py", "socketserver.py", "sunau.py", "tabnanny.py",
    "telnetlib.py", "this.py", "timeit.py", "trace.py", "tty.py", "unittest", "uu.py", "wave.py",
    "webbrowser.py", "wsgiref", "xdrlib.py", "xml", "xmlrpc", "zipapp.py",
})
_CHARMAP = re.compile(r"encodings/(cp(?!437\.)\d+|iso8859_\d+|mac_\w+|koi8_\w|kz1048|ptcp154|hp_roman8|palmos"
                      r"|tis_620)\.py$")


def dropped(name: str) -> bool:
    """Whether the archive member ``name`` stays out of the trimmed standard library."""
    return name.split("/", 1)[0] in DROPPED_TOP_LEVEL or bool(_CHARMAP.match(name))
