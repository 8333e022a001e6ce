"""`python -m generator zip-list FUNCTION`: what a function's zip holds, where each entry comes from, and what
the exclusion rule (generator/package/exclude.py) left out of it. Computed from the sources, as a build would
(nothing is written but the wheel cache), so it is right even before the zip is built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.package.build import prepare_packages
from generator.package.inputs import FunctionSource, source_tree
from generator.package.limits import megabytes
from generator.package.tree import LeftOut
from generator.problems import GeneratorError, error

_WIDTH = 56


@dataclass(frozen=True)
class Listing:
    key: str
    zip_path: Path
    built: bool
    unzipped_size: int
    entries: tuple[tuple[str, str], ...]  # (archive name, origin)
    left_out: tuple[LeftOut, ...]

    def lines(self) -> list[str]:
        state = "built" if self.built else "not built yet: run `make generate`"
        lines = [f"{self.key}: {self.zip_path} ({state}), {len(self.entries)} files, "
                 f"{megabytes(self.unzipped_size)} unzipped"]
        width = min(_WIDTH, max((len(name) for name, _ in self.entries), default=0))
        lines += [f"  {name:<{width}}  {origin}" for name, origin in self.entries]
        if self.left_out:
            lines.append('left out (see docs/guide/packaging.md, "The zips"):')
            width = min(_WIDTH, max(len(item.shown) for item in self.left_out))
            lines += [f"  {item.shown:<{width}}  {item.reason}" for item in self.left_out]
        return lines


def zip_listing(sources: list[FunctionSource], key: str, build_dir: Path) -> Listing:
    """Raises GeneratorError for an unknown key, or with whatever would stop the build."""
    chosen = [fn for fn in sources if fn.key == key]
    if not chosen:
        known = ", ".join(fn.key for fn in sources) or "none"
        raise GeneratorError([error(("functions",), f"no function {key!r}", f"name one of: {known}")])
    (package,) = prepare_packages(chosen, build_dir, reuse=False)
    result = package.result
    return Listing(key, result.zip_path, result.zip_path.is_file(), result.unzipped_size, package.origins,
                   tuple(source_tree(chosen[0]).left_out))
