"""Guru Meditation Reports built in-process: where they go when the report
directory is unusable, what is masked, and which signals may be configured.
(tests/functional/test_guru.py triggers one on a running daemon.)"""
import logging

import eventlet
import pytest

import nova.conf
from nova import guru
from nova.conf import CONF


class _Launcher:
    services = []


def _opt(name):
    return next(opt for _group, opts in nova.conf.list_opts() for opt in opts
                if opt.dest == name)


def test_report_goes_to_the_log_without_a_report_dir(caplog):
    parked = eventlet.spawn(eventlet.sleep, 30)  # a green thread whose stack must show
    eventlet.sleep(0)
    try:
        with caplog.at_level(logging.INFO, logger='nova.guru'):
            assert guru.Reporter('nova-test', _Launcher()).write() is None
    finally:
        parked.kill()
    text = caplog.text
    assert 'Guru Meditation Report: nova-test' in text
    for section in guru.SECTIONS:
        assert '==== %s ====' % section in text
    assert 'no service started yet' in text
    assert 'test_guru.py' in text and 'in sleep' in text


def test_unwritable_report_dir_falls_back_to_the_log(tmp_path, caplog):
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('')
    CONF.set_override('guru_report_dir', str(blocker))
    with caplog.at_level(logging.INFO, logger='nova.guru'):
        assert guru.Reporter('nova-test', _Launcher()).write() is None
    assert 'Cannot write the Guru Meditation Report to %s' % blocker in caplog.text
    assert '==== Native Threads ====' in caplog.text


def test_secrets_are_masked_by_declaration_or_name():
    CONF.set_override('rabbit_password', 'pw-1')
    CONF.set_override('s3_store_access_key', 'ak-1')
    values = {name: value for _group, name, value in nova.conf.effective_values()}
    assert values['rabbit_password'] == values['s3_store_access_key'] == '****'
    assert values['s3_store_secret_key'] is None  # unset stays visibly unset
    # numbers about keys are not keys
    assert values['ca_key_bits'] == CONF.ca_key_bits
    assert values['quota_key_pairs'] == CONF.quota_key_pairs
    assert not nova.conf.is_secret(_opt('ca_key_bits'))


def test_guru_signal_must_be_a_free_signal(tmp_path):
    with pytest.raises(nova.conf.FlagError) as err:
        nova.conf.parse_args(['--guru_signal=SIGTERM'], default_flagfiles=())
    assert 'guru_signal' in str(err.value)


class _ForbiddenLock:
    """A lock as held by the code a signal interrupted: taking it is the bug."""

    def acquire(self, *args, **kwargs):
        raise AssertionError('the signal handler took a logging lock')

    release = acquire


def test_signal_handler_takes_no_logging_lock(tmp_path):
    log_path = tmp_path / 'daemon.log'
    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter('%(levelname)s %(name)s %(message)s'))
    handler.lock = _ForbiddenLock()
    root = logging.getLogger()
    root.addHandler(handler)
    CONF.set_override('guru_report_dir', str(tmp_path / 'reports'))
    try:
        guru.Reporter('nova-test', _Launcher())._on_signal(12, None)
    finally:
        root.removeHandler(handler)
        handler.lock = None
        handler.stream.close()
    reports = list((tmp_path / 'reports').iterdir())
    assert len(reports) == 1
    assert '==== Green Threads ====' in reports[0].read_text()
    assert log_path.read_text() == (
        'INFO nova.guru Guru Meditation Report written to %s\n' % reports[0])


def test_signal_handler_logs_the_report_itself_without_a_report_dir(tmp_path):
    log_path = tmp_path / 'daemon.log'
    handler = logging.FileHandler(log_path)
    logging.getLogger().addHandler(handler)
    try:
        guru.Reporter('nova-test', _Launcher())._on_signal(12, None)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    text = log_path.read_text()
    assert text.startswith('=' * 72 + '\nGuru Meditation Report: nova-test')
    assert '==== Native Threads ====' in text


def test_the_image_janitor_is_reported_as_a_periodic_sweeper(monkeypatch):
    from nova.image import janitor
    CONF.set_override('image_upload_sweep_interval', 45)
    monkeypatch.setattr(janitor, 'sweep', lambda: {'images': ['i1', 'i2'], 'tasks': [],
                                                   'parts': ['p']})
    sweeper = janitor.UploadJanitor()
    launcher = type('Launcher', (), {'services': [sweeper]})()
    reporter = guru.Reporter('nova-image', launcher)
    assert reporter.services() == [
        'nova-image-janitor: periodic sweeper of abandoned uploads, tasks and store parts'
        ' every 45 s, stopped, no pass yet']
    sweeper.start()
    try:
        eventlet.sleep(0)  # its first pass
        [line] = reporter.services()
        assert line.startswith('nova-image-janitor: periodic sweeper of abandoned uploads,'
                               ' tasks and store parts every 45 s, running, last pass ')
        assert line.endswith(' UTC: 2 images, 0 tasks, 1 parts')
    finally:
        sweeper.stop()
    assert ', stopped, last pass ' in reporter.services()[0]
