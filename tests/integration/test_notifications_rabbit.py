"""Lifecycle and usage notifications, consumed from a real RabbitMQ broker as an
oslo.messaging notification listener would: the notifications.info and
notifications.error queues on the nova exchange, each message in the 2.0 envelope."""
import datetime
import json
import uuid

import eventlet
import kombu
import pytest

from nova.compute import usage_audit
from nova.conf import CONF
from nova.db import api as db
from nova.rpc import kombu_consumer
from nova.virt import fake
from tests.functional.compute.conftest import running_cloud


class Listener:
    """Drains notifications.<priority> on the control exchange (queues declared, and
    emptied of earlier tests' messages, before the cloud sends anything)."""

    def __init__(self, url):
        self.connection = kombu.Connection(kombu_consumer.kombu_url(url))
        exchange = kombu.Exchange(CONF.control_exchange, 'topic', durable=False)
        self.queues = {}
        for priority in ('info', 'error'):
            name = 'notifications.%s' % priority
            queue = kombu.Queue(name, exchange, routing_key=name, durable=False,
                                auto_delete=False)(self.connection.default_channel)
            queue.declare()
            queue.purge()
            self.queues[priority] = queue
        self.received = []  # (priority queue, envelope, inner message)

    def drain(self):
        for priority, queue in self.queues.items():
            while True:
                message = queue.get(no_ack=True)
                if message is None:
                    break
                envelope = json.loads(message.body)
                self.received.append((priority, envelope, json.loads(envelope['oslo.message'])))

    def wait_for(self, predicate, timeout=20):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while True:
            self.drain()
            found = [m for _p, _e, m in self.received if predicate(m)]
            if found or eventlet.hubs.get_hub().clock() > deadline:
                return found
            eventlet.sleep(0.02)

    def events(self, instance_uuid):
        self.drain()
        return [m['event_type'] for _p, _e, m in self.received
                if m['payload']['nova_object.data'].get('uuid') == instance_uuid]


@pytest.fixture
def cloud(rabbitmq, tmp_path):
    CONF.set_override('notification_driver', 'messaging')
    CONF.set_override('rabbit_retry_interval', 0.2)
    listener = Listener(rabbitmq.url)
    with running_cloud(tmp_path, rabbitmq.url, hosts=['h1']) as c:
        c.listener = listener
        yield c
    listener.connection.release()


def test_create_and_delete_are_told_in_order_in_the_oslo_envelope(cloud):
    instance = cloud.boot()[0]
    cloud.wait([instance.uuid], 'active')
    cloud.api.delete(cloud.ctx, db.instance_get_by_uuid(cloud.admin, instance.uuid))
    cloud.wait_gone([instance.uuid])
    assert cloud.listener.wait_for(lambda m: m['event_type'] ==
                                   'compute.instance.delete.end')
    assert cloud.listener.events(instance.uuid) == [
        'compute.instance.create.start', 'compute.instance.create.end',
        'compute.instance.delete.start', 'compute.instance.delete.end']
    by_event = {m['event_type']: (p, e, m) for p, e, m in cloud.listener.received}
    priority, envelope, message = by_event['compute.instance.create.end']
    assert priority == 'info' and envelope['oslo.version'] == '2.0'
    assert set(envelope) == {'oslo.version', 'oslo.message'}
    assert message['priority'] == 'INFO' and message['publisher_id'] == 'compute.h1'
    uuid.UUID(message['message_id'])
    datetime.datetime.fromisoformat(message['timestamp'])
    assert message['_context_project_id'] == 'proj-a'
    assert message['_context_user_id'] == 'alice'
    assert '_context_auth_token' not in message
    payload = message['payload']
    assert payload['nova_object.name'] == 'InstanceActionPayload'
    assert payload['nova_object.namespace'] == 'nova'
    assert payload['nova_object.version'] == '1.0'
    data = payload['nova_object.data']
    assert (data['uuid'], data['tenant_id'], data['host']) == (instance.uuid, 'proj-a', 'h1')
    assert (data['state'], data['power_state'], data['task_state']) == (
        'active', 'running', None)
    assert data['flavor']['nova_object.data']['name'] == 'm1.tiny'
    assert data['launched_at'].endswith('Z') and data['fault'] is None
    assert by_event['compute.instance.create.start'][2]['payload'][
        'nova_object.data']['task_state'] == 'spawning'
    gone = by_event['compute.instance.delete.end'][2]['payload']['nova_object.data']
    assert gone['state'] == 'deleted' and gone['deleted_at'] and gone['terminated_at']


def test_failed_action_goes_to_the_error_topic_with_its_fault(cloud):
    instance = cloud.boot()[0]
    cloud.wait([instance.uuid], 'active')
    fake.set_failure('h1', 'reboot', RuntimeError('the hypervisor said no'), times=1)
    cloud.api.reboot(cloud.ctx, db.instance_get_by_uuid(cloud.admin, instance.uuid), 'SOFT')
    errors = cloud.listener.wait_for(
        lambda m: m['event_type'] == 'compute.instance.reboot.error')
    assert errors
    priority = [p for p, _e, m in cloud.listener.received
                if m['event_type'] == 'compute.instance.reboot.error']
    assert priority == ['error'] and errors[0]['priority'] == 'ERROR'
    fault = errors[0]['payload']['nova_object.data']['fault']['nova_object.data']
    assert fault == {'exception': 'RuntimeError',
                     'exception_message': 'the hypervisor said no'}
    assert cloud.listener.events(instance.uuid)[-2:] == [
        'compute.instance.reboot.start', 'compute.instance.reboot.error']


def test_usage_audit_sends_exists_for_the_period(cloud):
    instance = cloud.boot()[0]
    cloud.wait([instance.uuid], 'active')
    manager = cloud.services['h1'].manager
    begin, end = usage_audit.last_completed_period()
    db.instance_update(cloud.admin, instance.uuid,
                       {'launched_at': begin + datetime.timedelta(hours=1)})
    assert manager.usage_audit.run(cloud.admin) == 1
    exists = cloud.listener.wait_for(lambda m: m['event_type'] == 'compute.instance.exists')
    assert len(exists) == 1 and exists[0]['publisher_id'] == 'compute.h1'
    data = exists[0]['payload']['nova_object.data']
    assert exists[0]['payload']['nova_object.name'] == 'InstanceExistsPayload'
    assert data['uuid'] == instance.uuid
    assert data['audit_period']['nova_object.data'] == {
        'audit_period_beginning': begin.isoformat() + 'Z',
        'audit_period_ending': end.isoformat() + 'Z'}
    log = db.task_log_get_all(cloud.admin, 'instance_usage_audit', begin, end, host='h1')
    assert [(row.errors, row.task_items) for row in log] == [(0, 1)]
