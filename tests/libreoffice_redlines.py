"""Open DOCX files in LibreOffice and report their tracked changes and text (run by the system Python).

Used by the diff tests: the venv cannot import ``uno`` (Debian's python3-uno belongs to the system
Python), so the tests run this file with /usr/bin/python3. One headless soffice, with a private
profile folder (started by lo_uno.office), handles every file; the result is JSON on stdout::

    {"<file>": {"changes": N, "text": [...], "accepted": [...], "rejected": [...]}}

``text`` is the document as opened (tracked changes shown), ``accepted`` after Accept All,
``rejected`` after Reject All (each reloaded from the file; both left out when the file has no
tracked change): one string per paragraph, a table as one string per cell, in document order.

Usage: python3 libreoffice_redlines.py PROFILE_DIR FILE...
"""

import json
import os
import sys

import uno

from lo_uno import office, prop, service  # beside this file, so on sys.path when run as a script


def paragraphs(text):
    """Every paragraph's string, a table's cells one by one (rows in order)."""
    out = []
    enum = text.createEnumeration()
    while enum.hasMoreElements():
        el = enum.nextElement()
        if el.supportsService("com.sun.star.text.TextTable"):
            for name in el.getCellNames():
                out += paragraphs(el.getCellByName(name).getText())
        else:
            out.append(el.getString())
    return out


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
                entry[state] = paragraphs(doc.getText())
                doc.close(True)
                if not entry["changes"]:
                    break  # nothing to accept or reject: the text is all there is
            result[path] = entry
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
