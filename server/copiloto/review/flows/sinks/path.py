"""File paths (CWE-22): what opens, sends, saves, removes or moves a file, and pathlib.Path built from outside
data."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

FIRST = frozenset(
    {
        "open",
        "io.open",
        "codecs.open",
        "send_file",
        "flask.send_file",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.removedirs",
        "os.rename",
        "os.replace",
        "os.listdir",
        "os.makedirs",
        "os.mkdir",
        "shutil.rmtree",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.copy2",
        "shutil.move",
        "Path",
        "pathlib.Path",
        "FileResponse",
        "aiofiles.open",
        "tarfile.open",
        "zipfile.ZipFile",
    }
)


def sinks(call: Call) -> Hits:
    if call.name in FIRST:
        return one(call.arg(0, "file", "path", "filename", "src", "name_or_file"), Sink("path", call.name))
    if call.method and call.last == "save" and not call.name.rsplit(".", 1)[0].lower().endswith("storage"):
        # an upload saved where the request says (`f.save(folder + f.filename)`); Django's storages clean the name
        return one(call.arg(0, "dst", "path", "filename", "fp"), Sink("path", call.name, string_only=True))
    if call.name in ("send_from_directory", "flask.send_from_directory"):  # the folder; the name is checked by flask
        return one(call.arg(0, "directory"), Sink("path", call.name))
    return []
