"""Imports sit at the top of files: an import inside a function is allowed only for a heavy optional
dependency, named here with its reason (STYLE.md, "Growing the house"; lint-imports holds the layers)."""
import ast
from pathlib import Path

import codesign

ALLOWED = {
    ("core/documents.py", "weasyprint"): "WeasyPrint (Pango, fonts) loads only when a PDF is asked for",
    ("core/documents.py", "weasyprint.urls"): "the same",
    ("cli.py", "gunicorn.app.base"): "only the server needs gunicorn (absent on Windows)",
    ("core/audit.py", "flask"): "the audit log also runs outside a request (tick, CLI)",
}


def test_no_import_inside_a_function_but_the_documented_ones():
    root = Path(codesign.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    if (rel, name) not in ALLOWED:
                        found.append(f"{rel}:{node.lineno} imports {name} inside {fn.name}()")
    assert not found, "\n".join(found)
