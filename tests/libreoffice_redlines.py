"""Open DOCX files in LibreOffice and report their tracked changes and text (run by the system Python).

Used by the diff tests: the venv cannot import ``uno`` (Debian's python3-uno belongs to the system
Python), so the tests run this file with /usr/bin/python3. One headless soffice, with a private
profile folder (started by lo_uno.office), handles every file; the result is JSON on stdout::

    {"<file>": {"changes": N, "text": [...], "accepted": [...], "rejected": [...]}}

``text`` is the document as opened (tracked changes shown), ``accepted`` after Accept All,
``rejected`` after Reject All (each reloaded from the file; both left out when the file has no
tracked change): the body text as LibreOffice exports it ("Text (encoded)", UTF-8), one string
per line (a paragraph, a table cell).

Usage: python3 libreoffice_redlines.py PROFILE_DIR FILE...
"""

import json
import os
import sys

import uno

from lo_uno import office, prop, service  # beside this file, so on sys.path when run as a script


def exported(doc, folder):
    """The document's body text as LibreOffice's "Text (encoded)" export writes it, line by line."""
    path = os.path.join(folder, "export.txt")
    options = (prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8,LF"))
    doc.storeToURL(uno.systemPathToFileUrl(path), options)
    with open(path, encoding="utf-8-sig") as fh:
        return fh.read().split("\n")


def main():
    profile, files = sys.argv[1], sys.argv[2:]
    result = {}
    with office(profile) as ctx:
        desktop = service(ctx, "com.sun.star.frame.Desktop")
        dispatcher = service(ctx, "com.sun.star.frame.DispatchHelper")
        for path in files:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            entry = {}
            for state, command in (
                ("text", None),
                ("accepted", ".uno:AcceptAllTrackedChanges"),
                ("rejected", ".uno:RejectAllTrackedChanges"),
            ):
                doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
                if command is None:
                    redlines = doc.getRedlines().createEnumeration()
                    count = 0
                    while redlines.hasMoreElements():
                        redlines.nextElement()
                        count += 1
                    entry["changes"] = count
                else:
                    frame = doc.getCurrentController().getFrame()
                    dispatcher.executeDispatch(frame, command, "", 0, ())
                entry[state] = exported(doc, profile)
                doc.close(True)
                if not entry["changes"]:
                    break  # nothing to accept or reject: the text is all there is
            result[path] = entry
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
