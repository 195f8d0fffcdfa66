"""Where a data package's files may be, and reading them within the limits.

A data package arrives by pull request, from people an editor may not know.
Every byte the project takes from a package is read here, after the path has
passed four rules, so a `datapackage.json` cannot point the validator (and
the public log of a pull request) at any other file on the machine:

* no URL, unless an editor turned on `settings.REMOTE_RESOURCES`;
* no absolute path (`/etc/hostname`, `C:\\data.csv`);
* no `..` (`../../etc/passwd`);
* and, once symbolic links are resolved, still inside the package folder.

A path that breaks a rule gets one line naming the resource and the rule, and
the file is never opened. A file that passes is refused unread when it is
bigger than `settings.MAX_FILE_BYTES`, and after reading when a line is longer
than `settings.MAX_LINE_BYTES`; a descriptor may name at most
`settings.MAX_RESOURCES` resources and point at no other file (a custom
profile, a dialect or schema kept elsewhere). Each rule carries its words
here, next to its check.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from . import settings
from .report import Problem

DESCRIPTOR = "datapackage.json"
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # a URL's scheme (two letters or more: C: is a drive)
REMOTE_SCHEMES = ("http", "https")
# Profiles that frictionless knows by name; anything else is a document it would fetch.
PROFILES = ("data-package", "tabular-data-package", "fiscal-data-package", "data-resource", "tabular-data-resource")
INSIDE = "e.g. data/figures.csv"
SHOWN = 80  # characters of a path or cell quoted in a message; the rest is cut


def shown(value: object, limit: int = SHOWN) -> str:
    """A value as quoted in a message: at most `limit` characters, so a line stays a line."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)


def _path_error(code: str, name: str, message: str, fix: str) -> Problem:
    return _error(code, DESCRIPTOR, None, f"resources: {name}: path", message, fix)


def is_remote(rel: str) -> bool:
    match = SCHEME.match(rel)
    return bool(match) and match.group(1).lower() in REMOTE_SCHEMES


def path_problem(root: Path, rel: object, name: str) -> Problem | None:
    """The first rule the resource path `rel` breaks, as one Problem; None when it may be read."""
    if not isinstance(rel, str) or not rel.strip() or "\x00" in rel:
        return _path_error("path-invalid", name, f"'{shown(rel)}' is not a file path",
                           f"give the path of a CSV file inside the package folder, {INSIDE}")
    quoted = f"'{shown(rel)}'"
    scheme = SCHEME.match(rel)
    if scheme:
        if scheme.group(1).lower() in REMOTE_SCHEMES and settings.REMOTE_RESOURCES:
            return None
        why = ("remote resources are off (settings.REMOTE_RESOURCES)"
               if scheme.group(1).lower() in REMOTE_SCHEMES else "only files in the package folder can be read")
        return _path_error("path-url", name, f"{quoted} is a URL: {why}",
                           f"download the file into the package folder and give its path from there, {INSIDE}")
    posix, windows = PurePosixPath(rel.replace("\\", "/")), PureWindowsPath(rel)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or rel.startswith(("/", "\\")):
        return _path_error("path-absolute", name, f"{quoted} is an absolute path: a resource must be a file"
                           " inside the package folder",
                           f"give the path relative to {DESCRIPTOR}, {INSIDE}")
    if ".." in posix.parts:
        return _path_error("path-parent", name, f"{quoted} goes up a folder with '..': a resource must be a file"
                           " inside the package folder",
                           f"move the file into the package folder and give its path from there, {INSIDE}")
    try:
        (root / rel).resolve().relative_to(root.resolve())
    except ValueError:
        return _path_error("path-symlink", name, f"{quoted} leads out of the package folder through a symbolic"
                           " link", "replace the link with the file itself (in git: git rm the link, add the file)")
    except (OSError, RuntimeError):  # a loop of links
        return _path_error("path-symlink", name, f"{quoted} is a loop of symbolic links",
                           "replace the link with the file itself")
    return None


def descriptor_problems(descriptor: dict, root: Path) -> list[Problem]:
    """What the descriptor asks to read that it may not: too many resources, unsafe paths, outside documents."""
    resources = descriptor["resources"]
    if len(resources) > settings.MAX_RESOURCES:
        return [_error("too-many-resources", DESCRIPTOR, None, "resources",
                       f"lists {len(resources):,} resources, more than the {settings.MAX_RESOURCES:,} allowed"
                       " (settings.MAX_RESOURCES)",
                       "keep one resource per table; an editor can raise the limit in trademirror/settings.py")]
    problems = []
    for key in ("profile", "$schema"):
        problems += _reference_problem(descriptor.get(key), key, key)
    for resource in resources:
        name = shown(resource.get("name"))
        for key in ("profile", "$schema"):
            problems += _reference_problem(resource.get(key), f"resources: {name}: {key}", key)
        for key in ("schema", "dialect"):
            if isinstance(resource.get(key), str):
                problems.append(_error("outside-reference", DESCRIPTOR, None, f"resources: {name}: {key}",
                                       f"'{shown(resource[key])}' points at another document",
                                       f"write the {key} inside {DESCRIPTOR}, as an object"))
        problem = path_problem(root, resource.get("path"), name)
        if problem is not None:
            problems.append(problem)
    return problems


def _reference_problem(value, where: str, key: str) -> list[Problem]:
    if value is None or value in PROFILES:
        return []
    return [_error("outside-reference", DESCRIPTOR, None, where,
                   f"'{shown(value)}' is not a standard profile, and a custom one would be fetched from elsewhere",
                   f"use one of: {', '.join(PROFILES)} (or leave out '{key}')")]


def read_descriptor_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The descriptor's bytes: a regular file, not a link to one elsewhere, within MAX_DESCRIPTOR_BYTES."""
    name = path.name
    if path.is_symlink():
        return None, [_error("path-symlink", name, None, None, "is a symbolic link",
                             "put the file itself in the package folder")]
    if not path.is_file():
        return None, [_error("missing-file", name, None, None, f"not found at {path}",
                             "pass the path of a datapackage.json with --package")]
    return _read_file(path, name, settings.MAX_DESCRIPTOR_BYTES, "MAX_DESCRIPTOR_BYTES")


def read(root: Path, rel: str, name: str) -> tuple[bytes | None, list[Problem]]:
    """A resource's bytes, or the problems that stop it being read (then nothing was read)."""
    problem = path_problem(root, rel, name)
    if problem is not None:
        return None, [problem]
    if is_remote(rel):
        return _download(rel)
    path = (root / rel).resolve()
    if not path.exists():
        return None, [_error("missing-file", rel, None, None, "file not found",
                             f"create it, or remove resource '{name}' from {DESCRIPTOR}")]
    raw, problems = _read_file(path, rel, settings.MAX_FILE_BYTES, "MAX_FILE_BYTES")
    if raw is not None:
        problems = line_problems(rel, raw)
    return (None if problems else raw), problems


def _read_file(path: Path, rel: str, limit: int, setting: str) -> tuple[bytes | None, list[Problem]]:
    """At most `limit` bytes of a regular file, refused unread when it is bigger."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, [_error("unreadable-file", rel, None, None, f"cannot be read ({exc.strerror})",
                             "check the file's permissions")]
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, [_error("not-a-file", rel, None, None, "is not a regular file (a folder, device or pipe)",
                                 "give the path of a CSV file")]
        if info.st_size > limit:
            return None, [_too_big(rel, info.st_size, limit, setting)]
        raw = fh.read(limit + 1)
    if len(raw) > limit:  # it grew while we looked
        return None, [_too_big(rel, len(raw), limit, setting)]
    return raw, []


def _too_big(rel: str, size: int, limit: int, setting: str) -> Problem:
    return _error("file-too-big", rel, None, None,
                  f"is {size:,} bytes, more than the {limit:,} allowed (settings.{setting})",
                  "split it, or check that it is the file you meant; an editor can raise the limit in"
                  " trademirror/settings.py")


def line_problems(rel: str, raw: bytes, limit: int | None = None) -> list[Problem]:
    """The first line longer than `limit` bytes, if any, found without splitting the file into lines.

    From the start of a line, the last newline within the next `limit` + 1
    bytes starts the next line; when there is none, this line is too long. So a
    100 MB file of short lines costs about 1,600 searches, not a million.
    """
    limit = settings.MAX_LINE_BYTES if limit is None else limit
    start, size = 0, len(raw)
    while size - start > limit:
        newline = raw.rfind(b"\n", start, start + limit + 1)
        if newline < 0:
            end = raw.find(b"\n", start)
            length = (size if end < 0 else end) - start
            line = raw.count(b"\n", 0, start) + 1
            return [_error("line-too-long", rel, line, None,
                           f"line is {length:,} bytes long, more than the {limit:,} allowed"
                           " (settings.MAX_LINE_BYTES)",
                           "a line holds one row: shorten its cells (a note is at most 1,000 characters),"
                           " or check that the file is the CSV you meant")]
        start = newline + 1
    return []


def _download(url: str) -> tuple[bytes | None, list[Problem]]:
    """A remote resource (only when settings.REMOTE_RESOURCES is on), within the size limit."""
    import urllib.error
    import urllib.request

    limit = settings.MAX_FILE_BYTES
    try:
        with urllib.request.urlopen(url, timeout=settings.REMOTE_TIMEOUT_SECONDS) as response:  # noqa: S310
            if not is_remote(response.geturl()):
                raise urllib.error.URLError("redirected to a non-http address")
            raw = response.read(limit + 1)
    except (OSError, ValueError) as exc:
        return None, [_error("unreadable-file", shown(url), None, None,
                             f"cannot be downloaded ({shown(getattr(exc, 'reason', exc))})",
                             "check the address, or put the file in the package folder")]
    if len(raw) > limit:
        return None, [_too_big(shown(url), len(raw), limit, "MAX_FILE_BYTES")]
    problems = line_problems(shown(url), raw)
    return (None if problems else raw), problems
