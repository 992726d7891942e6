"""The layout holds: data flows one way through the stages, and the shared packages never
reach up into them; the pipeline package knows nothing of the sample data, benchmark or portal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.queries import PACKAGE_ROOT, sql_files
from pipeline.warehouse.versions import PARENTS, STAGE_OF

# The register comes before staging: under register_policy register_prefecture staging reads it.
STAGES = ("ingest", "register", "staging", "flows", "degrees", "indicators", "candidates", "publication")
# Lower layers first; a module may import its own package or any package before it.
LAYERS = (
    "settings",
    "queries",
    "reference",
    "registry",
    "warehouse",
    "runtime",
    "quality",
    *(f"stages.{stage}" for stage in STAGES),
    "stages",
    "orchestration",
    "commands",
    "designations",
    "definitions",
    "cli",
    "__main__",
)


def _package(module: str) -> str:
    """The layer of `pipeline.x.y...`: `stages.<stage>` for a stage's modules."""
    parts = module.split(".")[1:]
    if parts[:1] == ["stages"] and len(parts) > 1 and parts[1] in STAGES:
        return f"stages.{parts[1]}"
    return parts[0] if parts else "__init__"


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def test_the_pipeline_never_imports_the_packages_built_on_it():
    offending = [
        (module, imported)
        for module, path in MODULES.items()
        for imported in _imports(path)
        if imported.split(".")[0] in ("portal", "sample_data", "bench", "tests")
    ]
    assert offending == []


def test_every_import_points_down_the_layers():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = []
    for module, path in MODULES.items():
        own = _package(module)
        if own == "__init__":
            continue
        assert own in rank, f"{module}: its package {own!r} has no place in LAYERS"
        for imported in _imports(path):
            if not imported.startswith("pipeline.") or imported not in MODULES:
                continue
            target = _package(imported)
            if target != own and rank.get(target, -1) >= rank[own]:
                upward.append(f"{module} → {imported}")
    assert upward == []


def test_each_asset_is_defined_in_the_stage_its_code_version_hashes():
    from pipeline.definitions import defs

    where = {}
    for assets_def in defs.resolve_asset_graph().assets_defs:
        module = assets_def.op.compute_fn.decorated_fn.__module__
        for key in assets_def.keys:
            where[key.to_user_string()] = module
    # The 一覧 is built on the candidate lists, not a stage of them: versioned by its own numbers.
    assert where.pop("ichiran") == "pipeline.designations.asset"
    assert set(where) == set(STAGE_OF)
    assert set(STAGE_OF) - set(PARENTS) == {"corporate_register"}  # the one asset not per year
    misplaced = {a: m for a, m in where.items() if not m.startswith(f"pipeline.stages.{STAGE_OF[a]}.")}
    assert misplaced == {}


def test_every_sql_file_sits_in_a_sql_folder_and_has_a_unique_name():
    everywhere = sorted(PACKAGE_ROOT.rglob("*.sql"))
    named = sql_files()
    assert sorted(named.values()) == everywhere
    assert "checks/degrees_sum_to_one" in named
    assert named["candidate_selection"].parent == PACKAGE_ROOT / "stages" / "candidates" / "sql"
    assert not (PACKAGE_ROOT.parent / "sql").exists()


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_folder_holds_its_assets_checks_and_sql(stage: str):
    folder = PACKAGE_ROOT / "stages" / stage
    assert (folder / "assets.py").is_file()
    assert (folder / "checks.py").is_file()
    assert any((folder / "sql").rglob("*.sql"))
