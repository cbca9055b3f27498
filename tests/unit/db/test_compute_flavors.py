"""nova.db.api flavors on SQLite: create, lookups, visibility, extra specs, access."""
import pytest
import sqlalchemy as sa

from nova import context as nova_context
from nova import exception
from nova.db import api as db

from tests.unit.db.compute_helpers import count_statements, queries


def _flavor(ctx, name='f1', flavorid='f1', **extra):
    values = dict(name=name, flavorid=flavorid, memory_mb=1024, vcpus=2, root_gb=10)
    values.update(extra)
    return db.flavor_create(ctx, values)


def _user(project_id='p1'):
    return nova_context.RequestContext(user_id='u1', project_id=project_id, overwrite=False)


def test_create_with_specs_and_projects(db_ctx):
    created = db.flavor_create(db_ctx, dict(name='gpu', flavorid='g1', memory_mb=4096, vcpus=4,
                                            root_gb=40, is_public=False),
                               extra_specs={'hw:gpu': '1'}, projects=['p2', 'p1', 'p1'])
    assert created.extra_specs == {'hw:gpu': '1'} and created.projects == ['p1', 'p2']
    db.flavor_extra_specs_update_or_create(db_ctx, 'g1', {'hw:numa': '2'})
    with count_statements() as statements:
        got = db.flavor_get_by_flavor_id(db_ctx, 'g1')
    assert len(queries(statements)) == 1  # extra specs and access joined: one round trip
    assert got.extra_specs == {'hw:gpu': '1', 'hw:numa': '2'}
    assert got.projects == ['p1', 'p2']
    assert sa.inspect(got).detached
    assert (got.name, got.swap, got.ephemeral_gb, got.rxtx_factor, got.is_public) == (
        'gpu', 0, 0, 1.0, False)
    assert got.to_dict()['extra_specs'] == {'hw:gpu': '1', 'hw:numa': '2'}
    assert db.flavor_get(db_ctx, got.id).flavorid == 'g1'
    assert db.flavor_get_by_name(db_ctx, 'gpu').id == got.id
    assert db.flavor_access_get_by_flavor_id(db_ctx, 'g1') == ['p1', 'p2']


def test_duplicates_name_the_clash(db_ctx):
    _flavor(db_ctx)
    with pytest.raises(exception.FlavorIdExists, match='ID f1'):
        _flavor(db_ctx, name='other')
    with pytest.raises(exception.FlavorExists, match='name f1'):
        _flavor(db_ctx, flavorid='other')


def test_lookup_misses(db_ctx):
    for lookup, key in [(db.flavor_get, 999), (db.flavor_get_by_flavor_id, 'nope'),
                        (db.flavor_get_by_name, 'nope')]:
        with pytest.raises(exception.FlavorNotFound):
            lookup(db_ctx, key)


def test_destroy_soft_deletes_and_frees_the_names(db_ctx):
    flavor = db.flavor_create(db_ctx, dict(name='x', flavorid='x', memory_mb=1, vcpus=1,
                                           root_gb=0), extra_specs={'a': 'b'}, projects=['p1'])
    db.flavor_destroy(db_ctx, 'x')
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_get_by_flavor_id(db_ctx, 'x')
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_destroy(db_ctx, 'x')
    deleted = db.flavor_get(nova_context.get_admin_context(read_deleted='yes'), flavor.id)
    assert deleted.deleted == flavor.id and deleted.extra_specs == {}
    assert 'x' in [f.flavorid for f in db.flavor_get_all(db_ctx, inactive=True)]
    assert 'x' not in [f.flavorid for f in db.flavor_get_all(db_ctx)]
    again = db.flavor_create(db_ctx, dict(name='x', flavorid='x', memory_mb=2, vcpus=1,
                                          root_gb=0))
    assert again.id != flavor.id and db.flavor_get_by_flavor_id(db_ctx, 'x').memory_mb == 2


def test_private_flavors_are_seen_by_admins_and_their_projects(db_ctx):
    db.flavor_create(db_ctx, dict(name='secret', flavorid='s', memory_mb=1, vcpus=1, root_gb=0,
                                  is_public=False), projects=['p1'])
    assert 's' in [f.flavorid for f in db.flavor_get_all(db_ctx)]
    assert 's' in [f.flavorid for f in db.flavor_get_all(_user('p1'))]
    assert 's' not in [f.flavorid for f in db.flavor_get_all(_user('p2'))]
    assert db.flavor_get_by_flavor_id(_user('p1'), 's').name == 'secret'
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_get_by_flavor_id(_user('p2'), 's')
    assert [f.flavorid for f in db.flavor_get_all(db_ctx, filters={'is_public': False})] == ['s']
    public = [f.flavorid for f in db.flavor_get_all(db_ctx, filters={'is_public': True})]
    assert public == ['1', '2', '3', '4', '5']
    shared = db.flavor_get_all(db_ctx, filters={'is_public': True, 'project_id': 'p1'})
    assert [f.flavorid for f in shared] == ['1', '2', '3', '4', '5', 's']


def test_get_all_filters_sort_and_pages(db_ctx):
    assert [f.name for f in db.flavor_get_all(db_ctx, filters={'min_memory_mb': 4096})] == [
        'm1.medium', 'm1.large', 'm1.xlarge']
    assert [f.name for f in db.flavor_get_all(db_ctx, filters={'min_root_gb': 80})] == [
        'm1.large', 'm1.xlarge']
    db.flavor_update(db_ctx, '5', {'disabled': True})
    assert [f.flavorid for f in db.flavor_get_all(db_ctx, filters={'disabled': True})] == ['5']
    by_memory = db.flavor_get_all(db_ctx, sort_key='memory_mb', sort_dir='desc')
    assert [f.memory_mb for f in by_memory] == [16384, 8192, 4096, 2048, 512]
    page1 = db.flavor_get_all(db_ctx, limit=2)
    page2 = db.flavor_get_all(db_ctx, limit=2, marker=page1[-1].flavorid)
    page3 = db.flavor_get_all(db_ctx, limit=2, marker=page2[-1].flavorid)
    assert [f.flavorid for f in page1 + page2 + page3] == ['1', '2', '3', '4', '5']
    with pytest.raises(exception.MarkerNotFound):
        db.flavor_get_all(db_ctx, marker='nope')
    with pytest.raises(exception.InvalidInput):
        db.flavor_get_all(db_ctx, sort_key='extra_spec_rows')


def test_get_all_loads_specs_in_a_fixed_number_of_queries(db_ctx):
    for i in range(20):
        db.flavor_create(db_ctx, dict(name='n%d' % i, flavorid='n%d' % i, memory_mb=1, vcpus=1,
                                      root_gb=0), extra_specs={'k': str(i)}, projects=['p'])
    with count_statements() as few:
        db.flavor_get_all(db_ctx, limit=3)
    with count_statements() as many:
        flavors = db.flavor_get_all(db_ctx)
    assert len(queries(few)) == len(queries(many)) == 3
    assert {f.extra_specs.get('k') for f in flavors} >= {str(i) for i in range(20)}


def test_update(db_ctx):
    _flavor(db_ctx)
    updated = db.flavor_update(db_ctx, 'f1', {'description': 'small', 'is_public': False})
    assert (updated.description, updated.is_public, updated.extra_specs) == ('small', False, {})
    with pytest.raises(exception.FlavorExists):
        db.flavor_update(db_ctx, 'f1', {'name': 'm1.tiny'})
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_update(db_ctx, 'nope', {'description': 'x'})


def test_extra_specs(db_ctx):
    _flavor(db_ctx)
    assert db.flavor_extra_specs_get(db_ctx, 'f1') == {}
    assert db.flavor_extra_specs_update_or_create(db_ctx, 'f1', {'a': '1', 'b': '2'}) == {
        'a': '1', 'b': '2'}
    assert db.flavor_extra_specs_update_or_create(db_ctx, 'f1', {'b': '3', 'c': '4'}) == {
        'a': '1', 'b': '3', 'c': '4'}
    db.flavor_extra_specs_delete(db_ctx, 'f1', 'a')
    assert db.flavor_extra_specs_get(db_ctx, 'f1') == {'b': '3', 'c': '4'}
    with pytest.raises(exception.FlavorExtraSpecsNotFound, match='key a'):
        db.flavor_extra_specs_delete(db_ctx, 'f1', 'a')
    assert db.flavor_extra_specs_update_or_create(db_ctx, 'f1', {'a': 'again'})['a'] == 'again'
    assert db.flavor_get_by_flavor_id(db_ctx, 'f1').extra_specs == {'a': 'again', 'b': '3',
                                                                    'c': '4'}
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_extra_specs_get(db_ctx, 'nope')


def test_access(db_ctx):
    _flavor(db_ctx, is_public=False)
    db.flavor_access_add(db_ctx, 'f1', 'p1')
    with pytest.raises(exception.FlavorAccessExists):
        db.flavor_access_add(db_ctx, 'f1', 'p1')
    db.flavor_access_add(db_ctx, 'f1', 'p2')
    assert db.flavor_access_get_by_flavor_id(db_ctx, 'f1') == ['p1', 'p2']
    db.flavor_access_remove(db_ctx, 'f1', 'p1')
    with pytest.raises(exception.FlavorAccessNotFound):
        db.flavor_access_remove(db_ctx, 'f1', 'p1')
    db.flavor_access_add(db_ctx, 'f1', 'p1')
    assert db.flavor_get_by_flavor_id(db_ctx, 'f1').projects == ['p1', 'p2']
    with pytest.raises(exception.FlavorNotFound):
        db.flavor_access_add(db_ctx, 'nope', 'p1')
