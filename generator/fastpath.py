"""The no-change fast path of `generate`: when nothing the last successful run read or wrote has changed,
answer from a stamp in build/ without importing the model (pydantic), the templates (jinja2) or packaging.

`record` runs at the end of every successful full `generate` and writes what that run depended on; `answer`
runs first in `python -m generator` and compares. The stamp holds:
- the run's key: spec and out paths, the working directory (messages name files relative to it), the Python
  version, the installed distributions (dist-info names carry versions) and ENVIRONMENT_INPUTS;
- the generator's own files (code, templates, scaffold) by content;
- every input the pipeline says it read (Result.inputs: the spec, each function's folder, common/): files by
  content and mode, folders as their whole tree, a missing one as missing;
- the outputs: every file at the top of the out dir by content (generated, hand-written, or a new .tf), the
  same for the generated module's folder (terraform/modules/pipeline/) and the docs folder beside the out dir
  (docs/: the generated runbook and diagram, and any doc of yours), and
  the folders holding the zips: manifests by content, zips by (size, mtime_ns, ctime_ns, inode), since
  hashing a 73 MB zip on every run would cost more than the run, and nothing rewrites a file without
  changing those;
- the warnings the run printed, so the fast answer prints them too.

Anything it cannot vouch for takes the full path: an argument it does not know, a stamp it cannot read, a
symlink or special file among the inputs, an input modified while the recorded run was going on.
Only modules that cost nothing to import are used here (no pathlib, no json: it brings re and enum); the stamp
is marshal data, which the interpreter reads anyway. `python -m generator.fastpath [SPEC]` prints it.
"""

import hashlib
import marshal
import os
import stat
import sys
import time

# mypy reads a name TYPE_CHECKING as true; at run time this imports nothing (not even typing)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from generator.pipeline import Result

FORMAT = 3  # 2: the docs folder is an output; 3: so is the module's folder
STAMP_NAME = "generate-stamp.marshal"
# Environment variables that change what `generate` produces. None do today; tests/generator/test_fastpath_guards.py
# fails if the generator starts reading one that is not listed here.
ENVIRONMENT_INPUTS: tuple[str, ...] = ()
# File timestamps lag the clock by up to a few ms: an input changed this close to the run's start might have
# been read before or after the change, so such a run records no stamp.
_CLOCK_SLACK_NS = 50_000_000
_GENERATOR_DIR = os.path.dirname(os.path.abspath(__file__))
# Terraform's own working files in the out dir: `terraform init/plan/apply` change them, generate never reads
# them, so they are no reason to run everything again. (Names as Terraform and docs/guide/terraform.md spell them.)
_TERRAFORM_OWN = frozenset({".terraform", ".terraform.lock.hcl", ".terraform.tfstate.lock.info",
                            "terraform.tfstate.d", "crash.log", "tfplan"})
_TERRAFORM_OWN_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan")


class Unsure(Exception):
    """Something the fast path cannot vouch for: take the full path."""


class _Scan:
    """Fingerprints files and folders, remembering the newest change time among the inputs seen."""

    def __init__(self) -> None:
        self.newest_ns = 0
        self.files = 0

    def _seen(self, st: os.stat_result) -> None:
        self.newest_ns = max(self.newest_ns, st.st_mtime_ns, st.st_ctime_ns)

    def file(self, path: str, st: os.stat_result) -> str:
        self._seen(st)
        self.files += 1
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        return f"{st.st_mode & 0o7777:o}:{digest}"

    def tree(self, root: str, *, watch_folders: bool = True) -> dict[str, str]:
        """Every entry under root, by relative path. __pycache__ is left out: Python writes it when the code is
        imported (tests do), and it never goes into a zip. A symlink or special file: Unsure."""
        entries: dict[str, str] = {}
        pending = [("", root)]
        while pending:
            prefix, folder = pending.pop()
            if watch_folders:
                self._seen(os.stat(folder))
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.name == "__pycache__":
                        continue
                    relative = prefix + entry.name
                    if entry.is_symlink():
                        raise Unsure(f"{entry.path} is a symlink")
                    if entry.is_dir(follow_symlinks=False):
                        entries[relative + "/"] = "folder"
                        pending.append((relative + "/", entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        entries[relative] = self.file(entry.path, entry.stat(follow_symlinks=False))
                    else:
                        raise Unsure(f"{entry.path} is not a regular file")
        return dict(sorted(entries.items()))

    def input(self, path: str) -> str | dict[str, str]:
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            return "missing"
        if stat.S_ISDIR(st.st_mode):
            return self.tree(path)
        if stat.S_ISREG(st.st_mode):
            return self.file(path, st)
        raise Unsure(f"{path} is a symlink or not a regular file")


def _outputs(folder: str, skip: str, produced: frozenset[str] = frozenset(), *,
             terraform_dir: bool = False) -> dict[str, str]:
    """The top of a folder the run wrote to: files by content, zips by their stat, subfolders by name.
    In the out dir, Terraform's own files are left out unless the run produced them."""
    entries: dict[str, str] = {}
    scan = _Scan()
    try:
        listing = os.scandir(folder)
    except FileNotFoundError:
        return {"": "missing"}
    with listing:
        for entry in listing:
            if entry.path == skip or (terraform_dir and _terraform_own(entry.name) and entry.name not in produced):
                continue
            if entry.is_dir():
                entries[entry.name] = "folder"
            elif entry.is_file() and entry.name.endswith(".zip"):
                st = entry.stat()
                entries[entry.name] = f"zip:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
            elif entry.is_file():
                entries[entry.name] = scan.file(entry.path, entry.stat())
            else:
                entries[entry.name] = "other"
    return dict(sorted(entries.items()))


def _terraform_own(name: str) -> bool:
    return name in _TERRAFORM_OWN or name.endswith(_TERRAFORM_OWN_SUFFIXES)


def _distributions() -> list[str]:
    names: list[str] = []
    for folder in sys.path:
        if folder.endswith("-packages") and os.path.isdir(folder):
            names += (name for name in os.listdir(folder) if name.endswith(".dist-info"))
    return sorted(names)


def _key(spec: str, out: str, scan: _Scan) -> dict[str, object]:
    return {
        "format": FORMAT,
        "spec": spec,
        "out": out,
        "cwd": os.getcwd(),
        "python": sys.version,
        "distributions": _distributions(),
        "environment": {name: os.environ.get(name) for name in ENVIRONMENT_INPUTS},
        "generator": scan.tree(_GENERATOR_DIR, watch_folders=False),
    }


def stamp_path(spec: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(spec)), "build", STAMP_NAME)


def _state(spec: str, out: str, inputs: list[str], zip_folders: list[str], produced: frozenset[str],
           docs_folders: list[str]) -> tuple[dict[str, object], _Scan]:
    spec, out, stamp = os.path.abspath(spec), os.path.abspath(out), stamp_path(spec)
    scan = _Scan()
    key = _key(spec, out, scan)
    generator_newest, scan.newest_ns, scan.files = scan.newest_ns, 0, 0  # from here on: the inputs
    state: dict[str, object] = {
        "key": key,
        "inputs": {path: scan.input(path) for path in inputs},
        "produced": sorted(produced),  # the out dir's files this run wrote or kept
        "outputs": _outputs(out, stamp, produced, terraform_dir=True),
        "zips": {folder: _outputs(folder, stamp) for folder in zip_folders},
        # the module's folder is a Terraform directory too: `terraform test` there writes .terraform/ and a lock file
        "docs": {folder: _outputs(folder, stamp, terraform_dir=folder.startswith(out + os.sep))
                 for folder in docs_folders},
    }
    scan.newest_ns = max(scan.newest_ns, generator_newest)
    return state, scan


def forget(spec_path: object) -> bool:
    """Before a full generate writes anything: an interrupted or failed run then leaves no stamp to trust."""
    try:
        os.unlink(stamp_path(str(spec_path)))
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def record(spec_path: object, out_dir: object, result: "Result", *, started_ns: int) -> bool:
    """After a successful full generate: write the stamp (atomically), unless the run cannot be vouched for:
    from `result` its inputs, files, packages and warnings."""
    spec, out = str(spec_path), str(out_dir)
    stamp = stamp_path(spec)
    if not forget(spec):
        return False
    inputs = list(dict.fromkeys(os.path.abspath(str(path)) for path in result.inputs))
    zip_folders = sorted({os.path.dirname(os.path.abspath(str(p.zip_path))) for p in result.packages})
    docs_folders = [os.path.abspath(str(folder)) for folder in (result.module_dir, result.docs_dir) if folder]
    try:
        out_dir_path = os.path.abspath(out)
        produced = frozenset(os.path.basename(str(path)) for _, path in result.files
                             if os.path.dirname(os.path.abspath(str(path))) == out_dir_path)
        state, scan = _state(spec, out, inputs, zip_folders, produced, docs_folders)
    except (OSError, Unsure):
        return False
    if scan.newest_ns >= started_ns - _CLOCK_SLACK_NS:
        return False  # an input changed while the run read it: the outputs may be from either version
    state["summary"] = {
        # after the run, every file it wrote or kept is what the spec produces (hand-written ones included)
        "files": sum(1 for status, _ in result.files if status != "removed"),
        "zips": len(result.packages),
        "input_files": scan.files,
        "recorded_at": time.time(),
    }
    state["warnings"] = [problem.format() for problem in result.warnings]
    os.makedirs(os.path.dirname(stamp), exist_ok=True)
    temporary = f"{stamp}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            marshal.dump(state, handle)
        os.replace(temporary, stamp)
    except OSError:
        return False
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return True


def parse(argv: list[str]) -> tuple[str, str, bool] | None:
    """(spec, out, check) for exactly `generate [SPEC] [--out DIR] [--check]`; None for anything else (other
    commands, --full, --help, abbreviations, flags other modules add): those take the full path."""
    if not argv or argv[0] != "generate":
        return None
    spec, out, check = None, None, False
    arguments = iter(argv[1:])
    for argument in arguments:
        if argument == "--check" and not check:
            check = True
        elif argument == "--out" and out is None:
            out = next(arguments, None)
            if out is None or out.startswith("-"):
                return None
        elif argument.startswith("--out=") and out is None and len(argument) > 6:
            out = argument[6:]
        elif not argument.startswith("-") and spec is None:
            spec = argument
        else:
            return None
    spec = spec or "queues.toml"
    return spec, out if out is not None else os.path.join(os.path.dirname(spec), "terraform"), check


def answer(argv: list[str]) -> int | None:
    """The exit code when nothing changed since the last generate (having said so), else None."""
    request = parse(argv)
    if request is None:
        return None
    spec, out, check = request
    started = time.perf_counter()
    try:
        with open(stamp_path(spec), "rb") as handle:
            stamp = marshal.load(handle)
        state, _ = _state(spec, out, list(stamp["inputs"]), list(stamp["zips"]), frozenset(stamp["produced"]),
                          list(stamp["docs"]))
        if any(stamp[part] != state[part] for part in state):
            return None
        summary, warnings = stamp["summary"], list(stamp["warnings"])
        since = _when(float(summary["recorded_at"]))
        # the module's folder is inside the out dir: named with it
        inside = os.path.abspath(out) + os.sep
        folders = [os.path.normpath(out), *(_beside(out, folder) for folder in stamp["docs"]
                                            if not folder.startswith(inside))]
        checked = (f"{summary['input_files']} input files, the generator, {'/, '.join(folders)}/ and "
                   f"{summary['zips']} zips checked in {(time.perf_counter() - started) * 1000:.0f} ms")
        counts = f"{summary['files']} files identical, {summary['zips']} zips up to date"
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, Unsure):
        return None
    for warning in warnings:
        print(warning, file=sys.stderr)
    if check:
        verb = "are" if len(folders) > 1 else "is"
        print(f"{' and '.join(folders)} {verb} up to date with {spec} (nothing changed since the last generate "
              f"{since}: {checked})")
    else:
        print(f"nothing changed since the last generate {since} ({checked}): {counts}")
    return 0


def _beside(out: str, folder: str) -> str:
    """The docs folder as the user would name it: beside the out dir as they gave it."""
    absolute_out = os.path.abspath(out)
    if os.path.dirname(folder) == os.path.dirname(absolute_out):
        return os.path.normpath(os.path.join(os.path.dirname(os.path.normpath(out)), os.path.basename(folder)))
    return folder


def _when(recorded_at: float) -> str:
    moment = time.localtime(recorded_at)
    same_day = time.strftime("%Y-%m-%d", moment) == time.strftime("%Y-%m-%d")
    return time.strftime("at %H:%M:%S" if same_day else "on %Y-%m-%d at %H:%M", moment)


if __name__ == "__main__":  # show the stamp, e.g. to see why a run took the full path
    import json

    with open(stamp_path(sys.argv[1] if len(sys.argv) > 1 else "queues.toml"), "rb") as stamp_file:
        print(json.dumps(marshal.load(stamp_file), indent=1, sort_keys=True))
