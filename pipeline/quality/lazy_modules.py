"""Modules that Great Expectations imports and the pipeline's suites never use, loaded lazily.

GX 1.x imports scipy.stats (for distributional expectations) and altair (for rendering) when it
is imported: about 1.5 s of the ~4.5 s of CPU its import costs here. The suites use neither. A
module named here is created on import but executed only when one of its attributes is first
read (the standard library's importlib.util.LazyLoader), so code that does use it still works.
tests/quality/test_lazy_modules.py fails when GX starts to use one of them during a validation.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from importlib.machinery import ModuleSpec

LAZY_MODULES = frozenset({"scipy.stats", "altair"})


class _LazyFinder:
    """Finds the modules of LAZY_MODULES where Python would, and hands them a lazy loader."""

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        if name not in LAZY_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def load_lazily() -> None:
    """Install the finder (once). Call it before any other thread imports: it is added to
    sys.meta_path, and never removed, since changing that list under a running import can
    make another thread's import miss a finder."""
    if not any(isinstance(finder, _LazyFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LazyFinder())
