"""Front ends translate; they reach the database only through the public APIs
(nova/<service>/api.py). A module of nova/api importing nova.db fails here."""
import ast
import pathlib

import nova.api

# modules still to be moved behind an API (none left)
NOT_YET = set()


def _imports_db(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name == 'nova.db' or alias.name.startswith('nova.db.')
                   for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ''
            if module == 'nova.db' or module.startswith('nova.db.') or (
                    module == 'nova' and any(a.name == 'db' for a in node.names)):
                return True
    return False


def test_front_ends_do_not_import_the_database():
    root = pathlib.Path(nova.api.__file__).parent
    offenders = sorted(str(path.relative_to(root)) for path in root.rglob('*.py')
                       if _imports_db(ast.parse(path.read_text())))
    assert offenders == sorted(NOT_YET)
