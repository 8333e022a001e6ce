"""Packaging ships exactly the function: attack galleries on its folder and lambdas/common/, one family each.
Add a variant as one line. The policy is in generator/package/tree.py and exclude.py."""

from __future__ import annotations

import pytest

from tests.package.gallery import (
    ALLOWED,
    COMMON,
    FN,
    LeftOut,
    Packaged,
    Refused,
    both,
    char_device,
    directory,
    fifo,
    link,
    remove,
    run_case,
    unix_socket,
    write,
)

OUTSIDE_HINT = f"links are followed only inside {ALLOWED}"
LOOP_HINT = "it leads back to itself"


def _outside(name: str, target: str, where: str = FN) -> Refused:
    return Refused(where, f"{name} is a symbolic link to {target}, outside {ALLOWED}", OUTSIDE_HINT)


SYMLINKS = {
    "file to /etc/hostname": (link("lambdas/fn/host.txt", "/etc/hostname"),
                              _outside("lambdas/fn/host.txt", "/etc/hostname")),
    "file to ../outside": (both(write("outside.py", "SECRET = 1\n"), link("lambdas/fn/secret.py", "../../outside.py")),
                           _outside("lambdas/fn/secret.py", "../../outside.py")),
    "file to another function": (both(write("lambdas/other/mod.py"), link("lambdas/fn/mod.py", "../other/mod.py")),
                                 _outside("lambdas/fn/mod.py", "../other/mod.py")),
    "escape through a subfolder": (both(write("outside.py"), directory("lambdas/fn/sub"),
                                        link("lambdas/fn/esc.py", "sub/../../../outside.py")),
                                   _outside("lambdas/fn/esc.py", "sub/../../../outside.py")),
    "folder to /etc": (link("lambdas/fn/etc", "/etc"), _outside("lambdas/fn/etc", "/etc")),
    "folder to the lambdas folder": (link("lambdas/fn/up", ".."), _outside("lambdas/fn/up", "..")),
    "link to /dev/zero (never read)": (link("lambdas/fn/zero", "/dev/zero"), _outside("lambdas/fn/zero", "/dev/zero")),
    "chain that leaves at its end": (both(link("lambdas/fn/hop2", "/etc/hostname"), link("lambdas/fn/hop", "hop2")),
                                     _outside("lambdas/fn/hop", "hop2")),
    "link in common to /etc/passwd": (link("lambdas/common/leak.py", "/etc/passwd"),
                                      _outside("lambdas/common/leak.py", "/etc/passwd", COMMON)),
    "requirements.txt to outside": (both(write("reqs.txt", "six==1.0\n"),
                                         link("lambdas/fn/requirements.txt", "../../reqs.txt")),
                                    _outside("lambdas/fn/requirements.txt", "../../reqs.txt")),
    "handler.py to outside": (both(write("real_handler.py", "def lambda_handler(e, c):\n    pass\n"),
                                   remove("lambdas/fn/handler.py"),
                                   link("lambdas/fn/handler.py", "../../real_handler.py")),
                              _outside("lambdas/fn/handler.py", "../../real_handler.py")),
    "dangling link": (link("lambdas/fn/gone.py", "missing.py"),
                      Refused(FN, "lambdas/fn/gone.py is a symbolic link to missing.py, which does not exist",
                              "create what it points to")),
    "dangling absolute link": (link("lambdas/fn/gone", "/nonexistent/x"),
                               Refused(FN, "lambdas/fn/gone is a symbolic link to /nonexistent/x, which does not "
                                       "exist", "remove the link")),
    "two links in a loop": (both(link("lambdas/fn/a", "b"), link("lambdas/fn/b", "a")),
                            Refused(FN, "lambdas/fn/a is a symbolic link to b that never resolves (a loop of "
                                    "links)", LOOP_HINT)),
    "link to itself": (link("lambdas/fn/self", "self"),
                       Refused(FN, "lambdas/fn/self is a symbolic link to self that never resolves (a loop of "
                               "links)", LOOP_HINT)),
    "folder link to its own folder": (link("lambdas/fn/again", "."),
                                      Refused(FN, "lambdas/fn/again is a symbolic link to ., a folder that "
                                              "contains the link", "packaging it would never end")),
    "folder link to its parent inside": (link("lambdas/fn/sub/back", ".."),
                                         Refused(FN, "lambdas/fn/sub/back is a symbolic link to .., a folder that "
                                                 "contains the link", "packaging it would never end")),
    "link to a FIFO inside": (both(fifo("lambdas/fn/pipe"), link("lambdas/fn/pipe-link", "pipe")),
                              Refused(FN, "lambdas/fn/pipe-link is a FIFO (named pipe), not a regular file or "
                                      "folder", "it was not opened")),
    # A link never ships under another name what the exclusion rule leaves out.
    "file link to a hidden sibling": (both(write("lambdas/fn/.env", "KEY=secret\n"),
                                           link("lambdas/fn/conf.py", ".env")),
                                      Refused(FN, "lambdas/fn/conf.py is a symbolic link to .env, which is never "
                                              "packaged (.env: hidden (secrets, version control, editor and OS files))",
                                              "what the zip leaves out")),
    "file link into tests/": (both(write("lambdas/fn/tests/fixture.py"),
                                   link("lambdas/fn/fixture.py", "tests/fixture.py")),
                              Refused(FN, "lambdas/fn/fixture.py is a symbolic link to tests/fixture.py, which is "
                                      "never packaged (tests: tests)", "what the zip leaves out")),
    "file link to bytecode": (both(write("lambdas/fn/mod.pyc", b"\x00"), link("lambdas/fn/mod2.py", "mod.pyc")),
                              Refused(FN, "lambdas/fn/mod2.py is a symbolic link to mod.pyc, which is never packaged "
                                      "(mod.pyc: bytecode)", "what the zip leaves out")),
    "requirements.txt to common's (read, not shipped)": (
        both(write("lambdas/common/requirements.txt", ""), link("lambdas/fn/requirements.txt",
                                                                "../common/requirements.txt")),
        Packaged({})),
    # Followed: the target is inside the function's folder or lambdas/common/; the zip holds a regular file with
    # the target's bytes (never a link entry).
    "file link to a sibling in a subfolder": (both(write("lambdas/fn/sub/real.py", "B = 1\n"),
                                                   link("lambdas/fn/sub/alias.py", "real.py")),
                                              Packaged({"sub/real.py": b"B = 1\n", "sub/alias.py": b"B = 1\n"})),
    "file link inside the folder": (both(write("lambdas/fn/real.py", "A = 1\n"),
                                         link("lambdas/fn/alias.py", "real.py")),
                                    Packaged({"real.py": b"A = 1\n", "alias.py": b"A = 1\n"})),
    "absolute link inside the folder": (both(write("lambdas/fn/real.py", "A = 2\n"),
                                             link("lambdas/fn/alias.py", "{root}/lambdas/fn/real.py")),
                                        Packaged({"real.py": b"A = 2\n", "alias.py": b"A = 2\n"})),
    "file link into common": (both(write("lambdas/common/util.py", "U = 1\n"),
                                   link("lambdas/fn/util.py", "../common/util.py")),
                              Packaged({"util.py": b"U = 1\n", "common/util.py": b"U = 1\n"})),
    "folder link inside the folder": (both(write("lambdas/fn/pkg/__init__.py", "P = 1\n"),
                                           link("lambdas/fn/alias", "pkg")),
                                      Packaged({"pkg/__init__.py": b"P = 1\n", "alias/__init__.py": b"P = 1\n"})),
    "hidden link to outside is left out": (link("lambdas/fn/.env", "/etc/hostname"),
                                           LeftOut("lambdas/fn/.env", "hidden (secrets, version control, editor "
                                                   "and OS files)")),
}

SPECIAL_FILES = {
    "FIFO in the function's folder": (fifo("lambdas/fn/pipe"),
                                      Refused(FN, "lambdas/fn/pipe is a FIFO (named pipe), not a regular file or "
                                              "folder", "it was not opened")),
    "FIFO in a subfolder": (fifo("lambdas/fn/data/pipe"),
                            Refused(FN, "lambdas/fn/data/pipe is a FIFO (named pipe), not a regular file or folder",
                                    "only regular files and folders are packaged")),
    "FIFO in common": (fifo("lambdas/common/pipe"),
                       Refused(COMMON, "lambdas/common/pipe is a FIFO (named pipe), not a regular file or folder",
                               "it was not opened")),
    "socket": (unix_socket("lambdas/fn/sock"),
               Refused(FN, "lambdas/fn/sock is a socket, not a regular file or folder", "it was not opened")),
    "character device": (char_device("lambdas/fn/zero"),
                         Refused(FN, "lambdas/fn/zero is a character device, not a regular file or folder",
                                 "it was not opened")),
    "FIFO as requirements.txt": (fifo("lambdas/fn/requirements.txt"),
                                 Refused(FN, "lambdas/fn/requirements.txt is a FIFO (named pipe), not a regular "
                                         "file", "make it a regular text file")),
    "folder as requirements.txt": (directory("lambdas/fn/requirements.txt"),
                                   Refused(FN, "lambdas/fn/requirements.txt is a folder, not a regular file",
                                           "make it a regular text file")),
    "FIFO in a left-out folder": (fifo("lambdas/fn/__pycache__/pipe"),
                                  LeftOut("lambdas/fn/__pycache__/", "bytecode cache")),
}

_HIDDEN = "hidden (secrets, version control, editor and OS files)"
DEBRIS = {
    ".env": (write("lambdas/fn/.env", "API_KEY=secret\n"), LeftOut("lambdas/fn/.env", _HIDDEN)),
    ".env.production": (write("lambdas/fn/.env.production", "K=v\n"), LeftOut("lambdas/fn/.env.production", _HIDDEN)),
    ".env in common": (write("lambdas/common/.env", "K=v\n"), LeftOut("lambdas/common/.env", _HIDDEN)),
    ".git/": (write("lambdas/fn/.git/config", "[core]\n"), LeftOut("lambdas/fn/.git/", _HIDDEN)),
    ".git/ in common": (write("lambdas/common/.git/HEAD", "ref\n"), LeftOut("lambdas/common/.git/", _HIDDEN)),
    ".venv/ with links out": (both(write("lambdas/fn/.venv/lib/x.py"),
                                   link("lambdas/fn/.venv/bin/python", "/usr/bin/env")),
                              LeftOut("lambdas/fn/.venv/", _HIDDEN)),
    "venv/": (write("lambdas/fn/venv/bin/activate", "# sh\n"), LeftOut("lambdas/fn/venv/", "virtualenv")),
    ".idea/": (write("lambdas/fn/.idea/workspace.xml", "<x/>\n"), LeftOut("lambdas/fn/.idea/", _HIDDEN)),
    ".vscode/": (write("lambdas/fn/.vscode/settings.json", "{}\n"), LeftOut("lambdas/fn/.vscode/", _HIDDEN)),
    "vim swap file": (write("lambdas/fn/.handler.py.swp", b"\x00vim"), LeftOut("lambdas/fn/.handler.py.swp", _HIDDEN)),
    "swap file without dot": (write("lambdas/fn/notes.swp", b"\x00"),
                              LeftOut("lambdas/fn/notes.swp", "editor swap file")),
    "editor backup~": (write("lambdas/fn/handler.py~"), LeftOut("lambdas/fn/handler.py~", "editor backup")),
    "emacs autosave": (write("lambdas/fn/#handler.py#"), LeftOut("lambdas/fn/#handler.py#", "editor autosave")),
    "emacs lock (a dangling link)": (link("lambdas/fn/.#handler.py", "user@host.1234"),
                                     LeftOut("lambdas/fn/.#handler.py", _HIDDEN)),
    ".DS_Store": (write("lambdas/fn/.DS_Store", b"\x00\x00"), LeftOut("lambdas/fn/.DS_Store", _HIDDEN)),
    "Thumbs.db": (write("lambdas/fn/Thumbs.db", b"\x00"), LeftOut("lambdas/fn/Thumbs.db", "OS thumbnail cache")),
    "desktop.ini": (write("lambdas/fn/desktop.ini", "[x]\n"), LeftOut("lambdas/fn/desktop.ini", "OS folder settings")),
    "__pycache__/": (write("lambdas/fn/__pycache__/handler.cpython-312.pyc", b"\x00"),
                     LeftOut("lambdas/fn/__pycache__/", "bytecode cache")),
    "stray .pyc": (write("lambdas/fn/old.pyc", b"\x00"), LeftOut("lambdas/fn/old.pyc", "bytecode")),
    ".pytest_cache/": (write("lambdas/fn/.pytest_cache/v/x", "1"), LeftOut("lambdas/fn/.pytest_cache/", _HIDDEN)),
    ".mypy_cache/": (write("lambdas/fn/.mypy_cache/x.json", "{}"), LeftOut("lambdas/fn/.mypy_cache/", _HIDDEN)),
    ".coverage": (write("lambdas/fn/.coverage", b"\x00"), LeftOut("lambdas/fn/.coverage", _HIDDEN)),
    "node_modules/": (write("lambdas/fn/node_modules/x/index.js", "1"),
                      LeftOut("lambdas/fn/node_modules/", "node modules")),
    "tests/": (write("lambdas/fn/tests/test_handler.py", "def test(): pass\n"), LeftOut("lambdas/fn/tests/", "tests")),
    "test_*.py": (write("lambdas/fn/test_handler.py", "def test(): pass\n"),
                  LeftOut("lambdas/fn/test_handler.py", "tests")),
    "merge leftover": (write("lambdas/fn/handler.py.orig"), LeftOut("lambdas/fn/handler.py.orig", "merge leftover")),
}

NAMES = {
    "file name not UTF-8": (write("lambdas/fn/caf\udce9.py"),
                            Refused(FN, "lambdas/fn/caf\\xe9.py has a name that is not valid UTF-8 (Lambda reads "
                                    "zip entry names as UTF-8)", "rename it")),
    "folder name not UTF-8": (write("lambdas/fn/d\udcff/x.py"),
                              Refused(FN, "lambdas/fn/d\\xff has a name that is not valid UTF-8 (Lambda reads zip "
                                      "entry names as UTF-8)", "rename it")),
    "backslash in a name": (write("lambdas/fn/a\\..\\..\\evil.py"),
                            Refused(FN, "lambdas/fn/a\\..\\..\\evil.py has a backslash in its name, which Windows "
                                    "and some unzip tools read as a folder separator", "rename it")),
    "backslashes after a dot": (write("lambdas/fn/..\\..\\evil.py"), LeftOut("lambdas/fn/..\\..\\evil.py", _HIDDEN)),
    "newline in a name": (write("lambdas/fn/a\nb.py"),
                          Refused(FN, "lambdas/fn/a\\nb.py has a control or invisible formatting character in its "
                                  "name", "rename it")),
    "bidi override in a name": (write("lambdas/fn/evil\u202eyp.txt"),
                                Refused(FN, "lambdas/fn/evil\\u202eyp.txt has a control or invisible formatting "
                                        "character in its name", "rename it")),
    "zero-width space in a name": (write("lambdas/fn/hand\u200bler.py"),
                                   Refused(FN, "lambdas/fn/hand\\u200bler.py has a control or invisible formatting "
                                           "character in its name", "rename it")),
    "requirements.txt in Latin-1": (write("lambdas/fn/requirements.txt", "# caf\xe9\n".encode("latin-1")),
                                    Refused(FN, "lambdas/fn/requirements.txt is not valid UTF-8 (byte 0xe9 at "
                                            "offset 5)", "save it as UTF-8")),
    "requirements.txt in UTF-16": (write("lambdas/fn/requirements.txt", "six==1.0\n".encode("utf-16")),
                                   Refused(FN, "lambdas/fn/requirements.txt is not valid UTF-8 (byte 0xff at "
                                           "offset 0)", "save it as UTF-8")),
    "requirements.txt with a byte-order mark": (write("lambdas/fn/requirements.txt", "\ufeff# no pins\n"),
                                                LeftOut("lambdas/fn/requirements.txt",
                                                        "pins (installed as wheels instead)")),
    "dots that are not '..'": (write("lambdas/fn/..data.py", "D = 1\n"), LeftOut("lambdas/fn/..data.py", _HIDDEN)),
    "unicode name that is fine": (write("lambdas/fn/données.py", "D = 1\n"), Packaged({"données.py": b"D = 1\n"})),
}

SHADOWING = {
    "common/ folder in the function": (write("lambdas/fn/common/__init__.py"),
                                       Refused(FN, "lambdas/fn/common would shadow lambdas/common/ in the zip (every "
                                               "function gets that folder as `common/`)",
                                               "move its modules into lambdas/common/")),
    "common.py in the function": (write("lambdas/fn/common.py"),
                                  Refused(FN, "lambdas/fn/common.py would shadow lambdas/common/ in the zip (every "
                                          "function gets that folder as `common/`)", "rename it")),
    "common link to lambdas/common": (link("lambdas/fn/common", "../common"),
                                      Refused(FN, "lambdas/fn/common would shadow lambdas/common/ in the zip (every "
                                              "function gets that folder as `common/`)", "rename it")),
    "empty common/ folder": (directory("lambdas/fn/common"),
                             Refused(FN, "lambdas/fn/common would shadow lambdas/common/ in the zip (every function "
                                     "gets that folder as `common/`)", "rename it")),
    "common/ deeper down is fine": (write("lambdas/fn/lib/common/__init__.py", "C = 1\n"),
                                    Packaged({"lib/common/__init__.py": b"C = 1\n"})),
}


def _cases(family: str, cases: dict) -> list:
    return [pytest.param(setup, expected, id=name, marks=pytest.mark.family(family))
            for name, (setup, expected) in cases.items()]


@pytest.mark.parametrize(("setup", "expected"), _cases("symlinks", SYMLINKS))
def test_symlinks(tmp_path, capsys, setup, expected) -> None:
    run_case(tmp_path, setup, expected, capsys)


@pytest.mark.parametrize(("setup", "expected"), _cases("special files", SPECIAL_FILES))
def test_special_files(tmp_path, capsys, setup, expected) -> None:
    run_case(tmp_path, setup, expected, capsys)


@pytest.mark.parametrize(("setup", "expected"), _cases("secrets and debris", DEBRIS))
def test_secrets_and_debris(tmp_path, capsys, setup, expected) -> None:
    run_case(tmp_path, setup, expected, capsys)


@pytest.mark.parametrize(("setup", "expected"), _cases("names", NAMES))
def test_names(tmp_path, capsys, setup, expected) -> None:
    run_case(tmp_path, setup, expected, capsys)


@pytest.mark.parametrize(("setup", "expected"), _cases("shadowing common", SHADOWING))
def test_shadowing_common(tmp_path, capsys, setup, expected) -> None:
    run_case(tmp_path, setup, expected, capsys)
