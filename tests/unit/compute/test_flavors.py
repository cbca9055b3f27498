"""nova.compute.flavors: validation, lookups, extra specs, access, the instance snapshot."""
import json

import pytest

from nova import context as nova_context
from nova import exception
from nova.compute import flavors

from tests.unit.db import conftest as db_fixtures

# the DB fixtures of tests/unit/db: a migrated SQLite database and an admin context
ctx, db_ctx, empty_db, synced_db = (db_fixtures.ctx, db_fixtures.db_ctx, db_fixtures.empty_db,
                                    db_fixtures.synced_db)


@pytest.mark.parametrize('kwargs, field', [
    ({'name': ''}, 'name'),
    ({'name': 'x' * 256}, 'name'),
    ({'name': 'tab\there'}, 'name'),
    ({'name': ' padded'}, 'name'),
    ({'memory': 0}, 'memory_mb'),
    ({'memory': 2 ** 31}, 'memory_mb'),
    ({'memory': 'lots'}, 'memory_mb'),
    ({'memory': True}, 'memory_mb'),
    ({'vcpus': 0}, 'vcpus'),
    ({'root_gb': -1}, 'root_gb'),
    ({'ephemeral_gb': -1}, 'ephemeral_gb'),
    ({'swap': -1}, 'swap'),
    ({'rxtx_factor': 0}, 'rxtx_factor'),
    ({'rxtx_factor': 'fast'}, 'rxtx_factor'),
    ({'flavorid': 'a/b'}, 'id'),
    ({'flavorid': 'x' * 256}, 'id'),
    ({'is_public': 'maybe'}, 'is_public'),
    ({'description': 'bell\x07'}, 'description'),
])
def test_invalid_input_names_the_field(kwargs, field):
    args = dict(name='ok', memory=512, vcpus=1, root_gb=1)
    args.update(kwargs)
    with pytest.raises(exception.InvalidInput, match=field):
        flavors.validate(**args)


def test_validate_converts_and_defaults():
    values = flavors.validate('small', '512', 1, '0', flavorid='auto', rxtx_factor='2.5',
                              is_public='false', description='')
    assert (values['memory_mb'], values['root_gb'], values['rxtx_factor'],
            values['is_public'], values['description']) == (512, 0, 2.5, False, '')
    assert len(values['flavorid']) == 36


def test_flavorid_may_not_be_padded():
    with pytest.raises(exception.InvalidInput, match='id must not start or end'):
        flavors.validate('s', 1, 1, 1, flavorid=' 7 ')


def test_create_get_destroy(db_ctx):
    created = flavors.create('m1.custom', 1024, 2, 10, ephemeral_gb=5, swap=512,
                             flavorid='custom', description='a flavor')
    assert (created.flavorid, created.swap, created.ephemeral_gb) == ('custom', 512, 5)
    assert flavors.get_by_flavor_id('custom').name == 'm1.custom'
    assert flavors.get_by_name_or_id('m1.custom').flavorid == 'custom'
    assert flavors.get_by_name_or_id('1').name == 'm1.tiny'
    auto = flavors.create('m1.auto', 256, 1, 1)
    assert len(auto.flavorid) == 36
    with pytest.raises(exception.FlavorExists):
        flavors.create('m1.custom', 1, 1, 1)
    flavors.destroy('custom')
    assert flavors.get_by_flavor_id('custom').deleted  # instances still find it
    with pytest.raises(exception.FlavorNotFound):
        flavors.get_by_flavor_id('custom', read_deleted='no')
    with pytest.raises(exception.FlavorNotFound):
        flavors.get_by_name_or_id('m1.custom')
    assert 'custom' not in [f.flavorid for f in flavors.get_all()]


def test_extra_specs(db_ctx):
    flavors.create('f', 1, 1, 1, flavorid='f')
    assert flavors.set_extra_specs('f', {'hw:cpu_policy': 'dedicated', 'n': 2,
                                         'flag': True}) == {
        'hw:cpu_policy': 'dedicated', 'n': '2', 'flag': 'true'}
    flavors.unset_extra_spec('f', 'n')
    assert flavors.get_by_flavor_id('f').extra_specs == {'hw:cpu_policy': 'dedicated',
                                                         'flag': 'true'}
    for bad in ({'': 'v'}, {'a/b': 'v'}, {'k' * 256: 'v'}, {'k': 'v' * 256}, {'k': None},
                {'k': ['list']}):
        with pytest.raises(exception.InvalidInput):
            flavors.set_extra_specs('f', bad)
    with pytest.raises(exception.InvalidInput):
        flavors.validate_extra_specs(['not', 'a', 'dict'])


def test_access_only_for_private_flavors(db_ctx):
    flavors.create('private', 1, 1, 1, flavorid='p', is_public=False)
    flavors.add_access('p', 'proj1')
    with pytest.raises(exception.FlavorAccessExists):
        flavors.add_access('p', 'proj1')
    with pytest.raises(exception.FlavorAccessNotAllowed,
                       match='Can not add access to a public flavor') as raised:
        flavors.add_access('1', 'proj1')
    assert raised.value.code == 409
    user = nova_context.RequestContext(user_id='u', project_id='proj1', overwrite=False)
    assert 'p' in [f.flavorid for f in flavors.get_all(user)]
    flavors.remove_access('p', 'proj1')
    assert 'p' not in [f.flavorid for f in flavors.get_all(user)]
    with pytest.raises(exception.FlavorAccessNotFound):
        flavors.remove_access('p', 'proj1')


def test_instance_flavor_json_is_a_plain_snapshot(db_ctx):
    flavor = flavors.create('f', 2048, 2, 20, flavorid='f')
    flavors.set_extra_specs('f', {'a': 'b'})
    flavor = flavors.get_by_flavor_id('f')
    old = flavors.get_by_flavor_id('1')
    blob = flavors.instance_flavor_json(flavor)
    assert json.loads(json.dumps(blob)) == blob
    assert blob['old'] is None and blob['new'] is None
    assert blob['cur'] == {'id': flavor.id, 'flavorid': 'f', 'name': 'f', 'memory_mb': 2048,
                           'vcpus': 2, 'root_gb': 20, 'ephemeral_gb': 0, 'swap': 0,
                           'rxtx_factor': 1.0, 'vcpu_weight': None, 'disabled': False,
                           'is_public': True, 'description': None, 'extra_specs': {'a': 'b'}}
    resize = flavors.instance_flavor_json(flavor, old=old, new=flavor)
    assert resize['old']['name'] == 'm1.tiny' and resize['new']['flavorid'] == 'f'
