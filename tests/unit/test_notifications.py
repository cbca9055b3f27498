"""The notifier's drivers: noop builds nothing, log writes JSON, a failed send is
logged and never raised into the operation it tells about."""
import json
import logging

import pytest

from nova import context as nova_context
from nova import exception
from nova import notifications
from nova.compute import lifecycle
from nova.conf import CONF
from nova.notifications import drivers

CTX = nova_context.RequestContext(user_id='alice', project_id='proj-a', auth_token='s3cret',
                                  overwrite=False)


def test_noop_reads_and_builds_nothing(monkeypatch):
    def forbidden(*args):
        raise AssertionError('noop must not read instances')
    monkeypatch.setattr(lifecycle, '_read', forbidden)
    teller = lifecycle.Lifecycle('compute.h1')
    assert teller.start(CTX, 'some-uuid', 'delete') is None
    teller.end(CTX, 'some-uuid', 'delete')
    teller.batch(CTX, ['some-uuid'], 'create', 'start')
    assert notifications.Notifier('compute.h1').info(CTX, 'x.y', {}) is None


def test_log_driver_writes_json_under_the_event_type(caplog):
    CONF.set_override('notification_driver', 'log')
    with caplog.at_level(logging.INFO, logger='nova.notification'):
        assert notifications.Notifier('volume.h1').notify(CTX, 'volume.create.end', {'a': 1},
                                                          notifications.INFO)
    record, = [r for r in caplog.records if r.name == 'nova.notification.volume.create.end']
    message = json.loads(record.getMessage())
    assert (message['publisher_id'], message['payload'], message['priority']) == (
        'volume.h1', {'a': 1}, 'INFO')


def test_messaging_failure_is_logged_not_raised(caplog):
    CONF.set_override('notification_driver', 'messaging')  # no transport in this process
    assert notifications.Notifier('compute.h1').error(CTX, 'compute.instance.x.error', {}) \
        is None
    assert not notifications.Notifier('compute.h1').notify(
        CTX, 'compute.instance.x.error', {}, notifications.ERROR)
    assert 'Could not send notification compute.instance.x.error' in caplog.text


def test_envelope_keeps_the_token_out():
    wrapped = drivers.envelope(CTX, {'event_type': 'e', 'priority': 'INFO', 'payload': {}})
    inner = json.loads(wrapped['oslo.message'])
    assert wrapped['oslo.version'] == '2.0'
    assert inner['_context_project_id'] == 'proj-a' and inner['_unique_id']
    assert 's3cret' not in wrapped['oslo.message']


def test_unknown_driver_is_a_config_error():
    with pytest.raises(exception.ConfigError, match='unknown notification_driver'):
        drivers.load('carrier-pigeon')


def test_every_named_action_is_a_decorated_compute_method():
    """A name in lifecycle.ACTIONS that no @instance_action method has would never be
    told: the table and the host's methods must agree."""
    import ast
    import pathlib

    import nova.compute.host
    decorated = set()
    for path in pathlib.Path(nova.compute.host.__file__).parent.glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                    getattr(d, 'id', None) == 'instance_action' for d in node.decorator_list):
                decorated.add(node.name)
    assert set(lifecycle.ACTIONS) <= decorated, set(lifecycle.ACTIONS) - decorated
    assert {'terminate_instance', 'stop_instance', 'start_instance', 'reboot_instance',
            'resize_instance', 'snapshot_instance'} <= set(lifecycle.ACTIONS)


def test_a_failed_read_never_fails_the_action(monkeypatch, caplog):
    CONF.set_override('notification_driver', 'log')

    def broken(*args):
        raise RuntimeError('database went away')
    monkeypatch.setattr(lifecycle.db, 'instance_get_all_by_filters', broken)
    teller = lifecycle.Lifecycle('compute.h1')
    assert teller.start(CTX, 'u1', 'reboot') is None
    teller.end(CTX, 'u1', 'reboot')
    teller.batch(CTX, ['u1'], 'create', 'end')
    assert teller.exists(CTX, [type('Row', (), {'uuid': 'u1'})()], None, None) == 1
    assert 'Could not read instances u1 to notify about them' in caplog.text
