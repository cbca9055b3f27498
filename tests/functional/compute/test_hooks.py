"""Hooks from an installed package's nova.hooks entry points, around the compute API's
create, delete and resize: called with the operation's arguments and result, a
hook's bug logged and ignored, a FatalHookException from pre() refusing the operation
(from post(), after the operation, only logged)."""
import importlib
import sys

import pytest

from nova import hooks
from nova.db import api as db
from tests.harness import plugin_packages

HOOKS = '''
from nova import hooks

CALLS = []


class Recorder:
    def pre(self, context, *args, **kwargs):
        CALLS.append(('pre', context.project_id, kwargs.get('display_name')))

    def post(self, rv, context, *args, **kwargs):
        CALLS.append(('post', type(rv).__name__, kwargs.get('display_name')))


class Broken:
    def pre(self, *args, **kwargs):
        raise ValueError('a bug in the hook')


class LateVeto:
    def post(self, rv, context, instance, **kwargs):
        raise hooks.FatalHookException(reason='too late to refuse')


class Gatekeeper:
    def pre(self, context, instance, flavor, **kwargs):
        if flavor.name == 'm1.small':
            raise hooks.FatalHookException(reason='m1.small is retired')
'''


@pytest.fixture
def hook_module(monkeypatch, tmp_path):
    hooks.reset()
    recorder = plugin_packages.install(monkeypatch, tmp_path, HOOKS, {'nova.hooks': {
        'create_instance': '{module}:Recorder', 'delete_instance': '{module}:Recorder',
        'resize_instance': '{module}:Gatekeeper'}})
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

    with pytest.raises(hooks.FatalHookException) as refused:
        cloud.api.resize(cloud.ctx, db.instance_get_by_uuid(cloud.admin, instance.uuid),
                         cloud.flavor('m1.small'))
    assert refused.value.code == 400 and 'm1.small is retired' in str(refused.value)
    row = db.instance_get_by_uuid(cloud.admin, instance.uuid)
    assert (row.vm_state, row.task_state, row.flavor['cur']['name']) == (
        'active', None, 'm1.tiny')

    del hook_module.CALLS[:]
    cloud.api.delete(cloud.ctx, row)  # LateVeto's post cannot undo it: logged only
    assert hook_module.CALLS == [('pre', 'proj-a', None), ('post', 'NoneType', None)]
    assert 'raised a fatal exception after delete_instance was done' in caplog.text
    cloud.wait_gone([instance.uuid])


def test_undeclared_hook_point_is_refused():
    with pytest.raises(ValueError, match='not a declared hook point'):
        hooks.add_hook('reboot_instance')
