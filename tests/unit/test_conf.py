"""Flagfiles: gflags syntax, nesting, booleans, substitution, and clear errors."""
import pytest

import nova.conf
from nova.conf import CONF


def write(path, text):
    path.write_text(text)
    return str(path)


def test_flagfile_values_booleans_comments_and_nesting(tmp_path):
    write(tmp_path / 'inner.flags', '--report_interval=3\n--noperiodic_enable\n')
    outer = write(tmp_path / 'nova.flags', (
        '# a comment\n\n'
        '--state_path=/srv/nova\n'
        '--sql_connection=sqlite:///$state_path/db.sqlite\n'
        '--debug\n'
        '   --host=compute7   \n'
        '--flagfile=inner.flags\n'))
    assert nova.conf.parse_args(['--flagfile=%s' % outer]) == []
    assert CONF.sql_connection == 'sqlite:////srv/nova/db.sqlite'
    assert CONF.debug is True
    assert CONF.periodic_enable is False
    assert CONF.report_interval == 3
    assert CONF.host == 'compute7'
    assert nova.conf.LOADED_FLAGFILES == [outer, str(tmp_path / 'inner.flags')]


def test_later_flags_win_and_command_line_overrides_file(tmp_path):
    flags = write(tmp_path / 'a.flags', '--report_interval=3\n--report_interval=4\n')
    nova.conf.parse_args(['--flagfile', flags, '--report_interval=9'])
    assert CONF.report_interval == 9


def test_unknown_flag_names_file_line_and_flag(tmp_path):
    flags = write(tmp_path / 'bad.flags', '--debug\n\n--no_such_flag=1\n')
    with pytest.raises(nova.conf.FlagError) as e:
        nova.conf.parse_args(['--flagfile=%s' % flags])
    assert str(e.value) == '%s:3: --no_such_flag unknown flag' % flags


def test_bad_value_names_file_line_and_flag(tmp_path):
    flags = write(tmp_path / 'bad.flags', '--report_interval=soon\n')
    with pytest.raises(nova.conf.FlagError) as e:
        nova.conf.parse_args(['--flagfile=%s' % flags])
    assert e.value.lineno == 1 and e.value.name == 'report_interval'
    assert "bad value 'soon'" in str(e.value)


def test_no_prefix_only_negates_booleans(tmp_path):
    with pytest.raises(nova.conf.FlagError, match='unknown flag'):
        nova.conf.parse_args(['--noreport_interval'])
    with pytest.raises(nova.conf.FlagError, match='needs a value'):
        nova.conf.parse_args(['--report_interval'])


def test_flagfile_loop_and_missing_file(tmp_path):
    write(tmp_path / 'a.flags', '--flagfile=b.flags\n')
    write(tmp_path / 'b.flags', '--flagfile=a.flags\n')
    with pytest.raises(nova.conf.FlagError, match='includes itself'):
        nova.conf.parse_args(['--flagfile=%s' % (tmp_path / 'a.flags')])
    with pytest.raises(nova.conf.FlagError, match='cannot be read'):
        nova.conf.parse_args(['--flagfile=%s' % (tmp_path / 'missing.flags')])


def test_line_without_dashes_is_rejected(tmp_path):
    flags = write(tmp_path / 'x.flags', 'debug=true\n')
    with pytest.raises(nova.conf.FlagError, match='expected --name=value'):
        nova.conf.parse_args(['--flagfile=%s' % flags])


def test_default_flagfile_is_used_only_without_explicit_one(tmp_path):
    default = write(tmp_path / 'nova.flags', '--report_interval=7\n')
    nova.conf.parse_args([], default_flagfiles=[str(tmp_path / 'absent'), default])
    assert CONF.report_interval == 7
    nova.conf.reset()
    other = write(tmp_path / 'other.flags', '--report_interval=8\n')
    nova.conf.parse_args(['--flagfile=%s' % other], default_flagfiles=[default])
    assert CONF.report_interval == 8


def test_ini_config_file_is_read_and_flags_beat_it(tmp_path):
    ini = write(tmp_path / 'nova.conf', '[DEFAULT]\nreport_interval = 5\nhost = ini-host\n')
    nova.conf.parse_args(['--config-file', ini, '--host=flag-host'])
    assert CONF.report_interval == 5
    assert CONF.host == 'flag-host'


def test_connection_type_alias_sets_compute_driver():
    nova.conf.parse_args(['--connection_type=libvirt'])
    assert CONF.compute_driver == 'libvirt.LibvirtDriver'
    nova.conf.reset()
    nova.conf.parse_args(['--connection_type=libvirt', '--compute_driver=my.Driver'])
    assert CONF.compute_driver == 'my.Driver'


def test_classic_rabbit_and_manager_flags_exist():
    nova.conf.parse_args(['--rabbit_host=mq', '--rabbit_port=5673', '--rabbit_userid=u',
                          '--rabbit_password=p', '--rabbit_virtual_host=/v',
                          '--compute_manager=x.Y', '--service_down_time=5',
                          '--periodic_interval=2', '--my_ip=10.0.0.5'])
    assert (CONF.rabbit_host, CONF.rabbit_port, CONF.compute_manager) == ('mq', 5673, 'x.Y')


def test_stop_at_positional_leaves_command_words():
    words = nova.conf.parse_args(['--debug', 'service', 'list', '--host', 'h1'],
                                 default_flagfiles=(), stop_at_positional=True)
    assert words == ['service', 'list', '--host', 'h1']
    assert CONF.debug is True


def test_multi_valued_flag_collects_each_occurrence(tmp_path):
    from oslo_config import cfg
    opt = cfg.MultiStrOpt('test_multi_flag', default=[])

    class Area:
        @staticmethod
        def register_opts(conf):
            conf.register_opts([opt])

        @staticmethod
        def list_opts():
            return {'DEFAULT': [opt]}

    nova.conf.register_module(Area)
    try:
        flags = write(tmp_path / 'm.flags', '--test_multi_flag=alpha\n--test_multi_flag=beta\n')
        nova.conf.parse_args(['--flagfile=%s' % flags])
        assert CONF.test_multi_flag == ['alpha', 'beta']
    finally:  # the area is the process's: later tests (the man pages') list every area
        nova.conf._MODULES.remove(Area)
        nova.conf.reset()
        CONF.unregister_opt(opt)
