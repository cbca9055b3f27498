"""Hooks from an installed package's nova.hooks entry points, around the compute API's
create, delete and resize and around the compute host's build, terminate and
finish_resize: called with the operation's arguments and result, a hook's bug logged
and ignored, a FatalHookException from pre() refusing the operation (from post(),
after the operation, only logged)."""
import importlib
import sys

import eventlet
import pytest

from nova import hooks
from nova.db import api as db
from tests.functional.compute.moves import fault
from tests.harness import plugin_packages

HOOKS = '''
from nova import hooks

CALLS = []
HOST_CALLS = []  # (hook point, phase, instance uuid) from nova-compute


class Recorder:
    def pre(self, context, *args, **kwargs):
        CALLS.append(('pre', context.project_id, kwargs.get('display_name')))

    def post(self, rv, context, *args, **kwargs):
        CALLS.append(('post', type(rv).__name__, kwargs.get('display_name')))


class _OnHost:
    def pre(self, context, instance, *args, **kwargs):
        HOST_CALLS.append((self.point, 'pre', getattr(instance, 'uuid', instance)))

    def post(self, rv, context, instance, *args, **kwargs):
        HOST_CALLS.append((self.point, 'post', getattr(instance, 'uuid', instance)))


class OnBuild(_OnHost):
    point = 'build_instance'

    def pre(self, context, instance, *args, **kwargs):
        super().pre(context, instance)
        if instance.memory_mb == 4096:
            raise hooks.FatalHookException(reason='no m1.medium guests on this host')


class OnTerminate(_OnHost):
    point = 'terminate_instance'


class OnFinishResize(_OnHost):
    point = 'finish_resize'


class Broken:
    def pre(self, *args, **kwargs):
        raise ValueError('a bug in the hook')


class LateVeto:
    def post(self, rv, context, instance, **kwargs):
        raise hooks.FatalHookException(reason='too late to refuse')


class Gatekeeper:
    def pre(self, context, instance, flavor, **kwargs):
        if flavor.name == 'm1.medium':
            raise hooks.FatalHookException(reason='m1.medium is retired')
'''


def host_calls(module, count, timeout=20):
    """The compute host's hook calls once there are ``count`` (a post runs just after
    the step's last database write, which is what the test waits for)."""
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while len(module.HOST_CALLS) < count and eventlet.hubs.get_hub().clock() < deadline:
        eventlet.sleep(0.01)
    return module.HOST_CALLS


@pytest.fixture
def hook_module(monkeypatch, tmp_path):
    hooks.reset()
    recorder = plugin_packages.install(monkeypatch, tmp_path, HOOKS, {'nova.hooks': {
        'create_instance': '{module}:Recorder', 'delete_instance': '{module}:Recorder',
        'resize_instance': '{module}:Gatekeeper', 'build_instance': '{module}:OnBuild',
        'terminate_instance': '{module}:OnTerminate',
        'finish_resize': '{module}:OnFinishResize'}})
    # a second package's hook on the same point, which fails
    plugin_packages.install(monkeypatch, tmp_path,
                            'from %s import Broken, LateVeto\n' % recorder,
                            {'nova.hooks': {'create_instance': '{module}:Broken',
                                            'delete_instance': '{module}:LateVeto',
                                            'reboot_instance': '{module}:Broken'}})
    yield importlib.import_module(recorder)
    hooks.reset()
    sys.modules.pop(recorder, None)


def test_hooks_run_around_create_delete_and_can_refuse_a_resize(cloud, hook_module, caplog):
    instance = cloud.boot()[0]
    assert hook_module.CALLS == [('pre', 'proj-a', 'vm'), ('post', 'tuple', 'vm')]
    assert 'a bug in the hook' in caplog.text  # logged; the create went on
    assert 'Hook reboot_instance' in caplog.text and 'names no hook point' in caplog.text
    cloud.wait([instance.uuid], 'active')
    # on the compute host, around the guest's spawn
    assert host_calls(hook_module, 2) == [('build_instance', 'pre', instance.uuid),
                                      ('build_instance', 'post', instance.uuid)]

    with pytest.raises(hooks.FatalHookException) as refused:
        cloud.api.resize(cloud.ctx, db.instance_get_by_uuid(cloud.admin, instance.uuid),
                         cloud.flavor('m1.medium'))
    assert refused.value.code == 400 and 'm1.medium is retired' in str(refused.value)
    row = db.instance_get_by_uuid(cloud.admin, instance.uuid)
    assert (row.vm_state, row.task_state, row.flavor['cur']['name']) == (
        'active', None, 'm1.tiny')

    cloud.api.resize(cloud.ctx, row, cloud.flavor('m1.small'))  # allowed: runs on the hosts
    cloud.wait([instance.uuid], 'resized')
    assert host_calls(hook_module, 4)[2:] == [('finish_resize', 'pre', instance.uuid),
                                          ('finish_resize', 'post', instance.uuid)]

    del hook_module.CALLS[:]
    del hook_module.HOST_CALLS[:]
    row = db.instance_get_by_uuid(cloud.admin, instance.uuid)
    cloud.api.delete(cloud.ctx, row)  # LateVeto's post cannot undo it: logged only
    assert hook_module.CALLS == [('pre', 'proj-a', None), ('post', 'NoneType', None)]
    assert 'raised a fatal exception after delete_instance was done' in caplog.text
    cloud.wait_gone([instance.uuid])
    assert host_calls(hook_module, 2) == [('terminate_instance', 'pre', instance.uuid),
                                      ('terminate_instance', 'post', instance.uuid)]


def test_a_refused_build_ends_in_error_with_the_hooks_reason(cloud, hook_module):
    instance = cloud.boot(flavor='m1.medium')[0]
    cloud.wait([instance.uuid], 'error')
    calls = hook_module.HOST_CALLS
    assert calls and set(calls) == {('build_instance', 'pre', instance.uuid)}  # no post
    assert 'no m1.medium guests on this host' in fault(cloud, instance.uuid)
    cloud.api.delete(cloud.ctx, db.instance_get_by_uuid(cloud.admin, instance.uuid))
    cloud.wait_gone([instance.uuid])


def test_undeclared_hook_point_is_refused():
    with pytest.raises(ValueError, match='not a declared hook point'):
        hooks.add_hook('reboot_instance')
