"""Log messages at warning and above are translatable (nova.i18n's _LW/_LE/_LC with
%-style arguments) and written in the daemon's language: a lint over nova/ keeps it
so, and nova.log's filter renders them."""
import ast
import io
import logging
import pathlib

import pytest

import nova
from nova import exception
from nova import i18n
from nova import log as nova_log
from nova.i18n import _LE, _LW

MARKERS = {'warning': '_LW', 'warn': '_LW', 'error': '_LE', 'exception': '_LE',
           'critical': '_LC'}
LOGGERS = ('LOG', 'log', 'logger', 'LOGGER')


def untranslated_log_calls(source, filename='<source>'):
    """[(line, call)] of the warning-and-above log calls whose message is not a
    marker (_LW for warning, _LE for error/exception, _LC for critical) around
    one string literal, formatting left to logging's arguments."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in MARKERS and isinstance(node.func.value, ast.Name)
                and node.func.value.id in LOGGERS):
            continue
        message = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == 'msg'), None)
        if not (isinstance(message, ast.Call) and isinstance(message.func, ast.Name)
                and message.func.id == MARKERS[node.func.attr] and len(message.args) == 1
                and not message.keywords and isinstance(message.args[0], ast.Constant)
                and isinstance(message.args[0].value, str)):
            found.append((node.lineno, ast.unparse(node)[:120]))
    return found


def test_every_warning_and_error_log_message_in_nova_is_translatable():
    root = pathlib.Path(nova.__file__).parent
    offenders = []
    for path in sorted(root.rglob('*.py')):
        for line, call in untranslated_log_calls(path.read_text(), str(path)):
            offenders.append('%s:%d: %s' % (path.relative_to(root.parent), line, call))
    assert offenders == [], (
        'mark these messages with nova.i18n._LW/_LE/_LC, arguments as logging '
        'arguments (doc/i18n.md), then run tools/i18n.sh and translate them')


@pytest.mark.parametrize('call', [
    "LOG.warning('Instance %s is gone', uuid)",                  # plain literal
    "LOG.error(f'Instance {uuid} is gone')",                     # f-string
    "LOG.exception('Instance %s is gone' % uuid)",               # formatted literal
    "LOG.warning(_LW('Instance %s is gone') % uuid)",            # formatted before logging
    "LOG.error(_LW('Instance %s is gone'), uuid)",               # the wrong level's marker
    "LOG.critical(_LE('Nothing works'))",
    "LOG.warning(_('Instance %s is gone'), uuid)",               # an API message's marker
    "LOG.warning(msg='Instance gone')",
    "log.warning(_LW('Instance %s is %s' % (uuid, state)))",
])
def test_the_lint_finds_an_untranslated_message(call):
    assert len(untranslated_log_calls(call)) == 1


@pytest.mark.parametrize('call', [
    "LOG.warning(_LW('Instance %s is gone'), uuid)",
    "LOG.exception(_LE('Could not delete %(id)s'), {'id': uuid})",
    "LOG.critical(_LC('Nothing works'))",
    "LOG.info('Below warning: English only, %s', uuid)",
    "LOG.warning(\n    _LW('a message '\n        'on two lines %s'), uuid)",
])
def test_the_lint_accepts_a_marked_message(call):
    assert untranslated_log_calls(call) == []


def _log_line(language, *args):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter('%(levelname)s %(message)s'))
    handler.addFilter(nova_log.TranslationFilter(language))
    logger = logging.getLogger('nova.tests.log_translation.%s' % language)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning(*args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().strip()


def test_a_log_message_is_written_in_the_daemons_language():
    gone = exception.InstanceNotFound(instance_id='i-1')
    args = (_LW('Instance %s got no network: %s'), 'i-1', gone)
    assert _log_line('de', *args) == (
        'WARNING Instanz i-1 hat kein Netzwerk erhalten: '
        'Instanz i-1 konnte nicht gefunden werden.')  # the exception's message too
    assert _log_line(None, *args) == (
        'WARNING Instance i-1 got no network: Instance i-1 could not be found.')
    # a mapping argument, and a message of another language's format stays intact
    assert _log_line('de', _LE('Could not export volume %s'), {'x': 1}) == (
        "WARNING Datenträger {'x': 1} konnte nicht exportiert werden")


def test_the_daemons_language_is_its_locale(monkeypatch):
    for variable in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LANG'):
        monkeypatch.delenv(variable, raising=False)
    assert i18n.log_language() is None
    monkeypatch.setenv('LANG', 'de_DE.UTF-8')
    assert i18n.log_language() == 'de'
