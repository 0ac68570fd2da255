"""Dependencies point one way: config's library ← notifications ← contest ← submissions ← judging ←
judging.results ← the project's wiring (config's urls, settings, celery, wsgi/asgi).

Read from the source with `ast`, so an import hidden inside a function counts as much as one at the
top. An import inside a function is allowed only with a comment (on its line or the line above)
saying why it cannot be at the top; the usual reasons are a heavy optional library or Django's
app registry not being ready yet.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "notifications", "contest", "submissions", "judging")

# The project's wiring sees every app (the URL tree, the Celery app, the API root and the health
# checks list what is installed); the rest of config is the library every app builds on.
WIRING = {"config", "config.urls", "config.celery", "config.wsgi", "config.asgi", "config.api_views", "config.ops"}

LAYERS = {"config": 0, "notifications": 1, "contest": 2, "submissions": 3, "judging": 4, "judging.results": 5}
TOP = 99


def layer_of(module: str) -> int | None:
    """The layer of a module of ours, or None for anything else (Django, the standard library…)."""
    if module in WIRING or module.startswith("config.settings"):
        return TOP
    if module == "judging.results" or module.startswith("judging.results."):
        return LAYERS["judging.results"]
    top = module.split(".")[0]
    return LAYERS.get(top)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # migrations name other apps' models by design and never import code
            yield path


def imports_of(tree: ast.Module, module: str, is_package: bool):
    """(line, imported module, inside a function) for every import in the tree."""
    base = module if is_package else module.rpartition(".")[0]

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name, in_function
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    anchor = base.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    target = ".".join(anchor + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                # `from judging import results` imports the subpackage judging.results
                names = [f"{target}.{alias.name}" for alias in child.names]
                yield child.lineno, max(names, key=lambda n: layer_of(n) or -1), in_function
            yield from visit(child, nested)

    yield from visit(tree, False)


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above it in the run of imports it belongs to."""
    if "#" in lines[lineno - 1]:
        return True
    for line in reversed(lines[max(0, lineno - 8) : lineno - 1]):
        text = line.strip()
        if text.startswith("#"):
            return True
        if not (text.startswith(("from ", "import ")) or text == ""):
            return False
    return False


def _violations():
    upward, uncommented = [], []
    for path in source_files():
        module = module_name(path)
        own = layer_of(module)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for lineno, target, in_function in imports_of(ast.parse(text), module, path.name == "__init__.py"):
            where = f"{path.relative_to(ROOT)}:{lineno} imports {target}"
            theirs = layer_of(target)
            if own is not None and theirs is not None and theirs > own:
                upward.append(where)
            if in_function and not _commented(lines, lineno):
                uncommented.append(where)
    return upward, uncommented


def test_no_module_imports_a_layer_above_its_own():
    upward, _ = _violations()
    assert upward == []


def test_every_import_inside_a_function_says_why():
    _, uncommented = _violations()
    assert uncommented == []


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("config.api", 0),
        ("config.urls", TOP),
        ("config.settings.base", TOP),
        ("notifications.services", 1),
        ("contest.clock", 2),
        ("submissions.services.solutions", 3),
        ("judging.services.conflicts", 4),
        ("judging.results.services.ranking", 5),
        ("judging.resultsx", 4),
        ("django.db", None),
    ],
)
def test_layer_of(module, layer):
    assert layer_of(module) == layer


def test_the_check_sees_an_upward_import_inside_a_function():
    tree = ast.parse("def f():\n    from judging.results.models import Award\n")
    found = list(imports_of(tree, "submissions.views", False))
    assert found == [(2, "judging.results.models.Award", True)]
    assert layer_of(found[0][1]) > layer_of("submissions.views")


def test_relative_imports_resolve_to_their_package():
    tree = ast.parse("from .models import Award\nfrom . import selectors\n")
    found = [target for _, target, _ in imports_of(tree, "judging.results.views", False)]
    assert found == ["judging.results.models.Award", "judging.results.selectors"]
