"""Every XML parse in nova/ goes through defusedxml: the standard library's parsers
expand entities (billion laughs) and fetch DTDs, so none of them may read a body
that came from a user. Building XML with ElementTree is fine; parsing with it is not."""
import ast
import pathlib

import nova

PARSERS = {'fromstring', 'fromstringlist', 'parse', 'iterparse', 'XML', 'XMLID',
           'XMLParser', 'XMLPullParser', 'parseString', 'make_parser', 'ParserCreate'}
STDLIB_XML = ('xml.etree', 'xml.dom', 'xml.sax', 'xml.parsers', 'lxml')


def _stdlib_xml_names(tree):
    """{local name: module} of the stdlib XML modules a file imports (saxutils aside)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(STDLIB_XML):
                    names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith(STDLIB_XML):
            for alias in node.names:
                if alias.name != 'escape' and node.module != 'xml.sax.saxutils':
                    names[alias.asname or alias.name] = '%s.%s' % (node.module, alias.name)
    return names


def test_no_standard_library_parser_reads_xml():
    offenders = []
    for path in pathlib.Path(nova.__file__).parent.rglob('*.py'):
        tree = ast.parse(path.read_text())
        names = _stdlib_xml_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in PARSERS:
                base = func.value
                dotted = ast.unparse(base)
                if dotted.split('.')[0] in names or dotted.startswith(STDLIB_XML):
                    offenders.append('%s:%d %s' % (path, node.lineno, ast.unparse(func)))
            elif isinstance(func, ast.Name) and func.id in PARSERS and func.id in names:
                offenders.append('%s:%d %s' % (path, node.lineno, func.id))
    assert offenders == []
