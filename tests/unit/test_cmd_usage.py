"""--help, -h and --version on every daemon and on nova-manage: usage and the
flags each reads, exit 0, before any flag is applied or anything is started."""
import importlib

import pytest

from nova.cmd import manage as manage_cmd
from nova.cmd import usage

DAEMONS = ['api', 'compute', 'network', 'volume', 'objectstore', 'scheduler', 'image', 'all',
           'serialproxy']


def _daemons():
    found = []
    for name in DAEMONS:
        try:
            found.append(importlib.import_module('nova.cmd.%s' % name))
        except ImportError:
            continue
    return found


def _exit(main, argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    return stopped.value.code, capsys.readouterr().out


@pytest.mark.parametrize('module', _daemons(), ids=lambda m: m.__name__)
@pytest.mark.parametrize('word', ['--help', '-h'])
def test_every_daemon_prints_its_usage_and_flags(module, word, capsys):
    binary = 'nova-' + module.__name__.rsplit('.', 1)[-1]
    code, out = _exit(module.main, ['--flagfile', '/nonexistent.flags', word], capsys)
    assert code == 0
    assert out.startswith('usage: %s [--flagfile=PATH]' % binary)
    assert '--state_path=' in out and '--sql_connection=' in out  # flags every daemon reads
    assert '--transport_url=' in out


def test_a_daemon_lists_only_the_flags_it_reads(capsys):
    _code, compute = _exit(importlib.import_module('nova.cmd.compute').main, ['-h'], capsys)
    assert '--compute_driver=' in compute and '--osapi_compute_listen_port' not in compute
    _code, api = _exit(importlib.import_module('nova.cmd.api').main, ['-h'], capsys)
    assert '--enabled_apis=' in api and '--compute_driver=' not in api


@pytest.mark.parametrize('module', _daemons(), ids=lambda m: m.__name__)
def test_every_daemon_prints_its_version(module, capsys):
    code, out = _exit(module.main, ['--version'], capsys)
    assert code == 0 and out == 'nova-%s %s\n' % (
        module.__name__.rsplit('.', 1)[-1], usage.version())


def test_nova_manage_help_and_version(capsys):
    code, out = _exit(manage_cmd.main, ['--help'], capsys)
    assert code == 0 and out.startswith('usage: nova-manage')
    assert 'project    Projects' in out and '--sql_connection=' in out
    code, out = _exit(manage_cmd.main, ['--version'], capsys)
    assert code == 0 and out.startswith('nova-manage ')


def test_help_after_the_command_belongs_to_the_command():
    """nova-manage's own --help only comes before CATEGORY: after it, it is the
    category's or the command's."""
    assert usage.wants(['--flagfile', 'x', '--help'], usage.HELP_WORDS)
    assert not usage.wants(['project', '--help'], usage.HELP_WORDS)
    assert usage.wants(['x', '--help'], usage.HELP_WORDS, stop_at_positional=False)
    assert not usage.wants(['--', '--help'], usage.HELP_WORDS)
