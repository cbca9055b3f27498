"""The image registry on SQLite: CRUD, children, visibility, filters, sorting, paging."""
import datetime

import pytest
import sqlalchemy as sa

from nova import context as nova_context
from nova import exception
from nova.db import api as db
from nova.db import session as db_session
from tests.unit.db.compute_helpers import count_statements, queries


def _project(project_id):
    return nova_context.RequestContext(user_id='u-' + project_id, project_id=project_id,
                                       roles=['member'])


def _image(ctx, owner='p1', **values):
    values.setdefault('visibility', 'private')
    return db.image_create(ctx, dict(owner=owner, **values))


def test_create_and_get_with_children(db_ctx):
    created = _image(db_ctx, name='cirros', disk_format='qcow2', container_format='bare',
                     properties={'os_distro': 'cirros', 'hw_disk_bus': 'virtio'},
                     tags=['b', 'a', 'a'])
    got = db.image_get(db_ctx, created.id)
    assert sa.inspect(got).detached
    assert len(got.id) == 36 and got.status == 'queued'
    assert (got.name, got.owner, got.visibility, got.protected, got.os_hidden) == (
        'cirros', 'p1', 'private', False, False)
    assert (got.min_disk, got.min_ram, got.size, got.checksum) == (0, 0, None, None)
    assert isinstance(got.created_at, datetime.datetime)
    assert got.updated_at == got.created_at
    assert {p.name: p.value for p in got.properties} == {'os_distro': 'cirros',
                                                          'hw_disk_bus': 'virtio'}
    assert [t.value for t in got.tags] == ['a', 'b']
    assert got.locations == []


def test_create_with_a_taken_id_is_refused_even_after_delete(db_ctx):
    image = _image(db_ctx)
    with pytest.raises(exception.ImageExists):
        _image(db_ctx, id=image.id)
    db.image_destroy(db_ctx, image.id)
    with pytest.raises(exception.ImageExists):
        _image(db_ctx, id=image.id)


def test_get_missing(db_ctx):
    with pytest.raises(exception.ImageNotFound):
        db.image_get(db_ctx, 'no-such-image')


def test_update_merges_properties_replaces_tags_and_locations(db_ctx):
    image = _image(db_ctx, properties={'a': '1', 'b': '2'}, tags=['x', 'y'])
    updated = db.image_update(db_ctx, image.id,
                              {'name': 'new', 'properties': {'b': '3', 'c': '4'},
                               'tags': ['y', 'z'],
                               'locations': [{'url': 'file:///x', 'metadata': {'k': 1}}]},
                              remove_props=['a'])
    assert updated.name == 'new' and updated.updated_at >= image.updated_at
    assert {p.name: p.value for p in updated.properties} == {'b': '3', 'c': '4'}
    assert [t.value for t in updated.tags] == ['y', 'z']
    assert [(loc.value, loc.meta_data, loc.status) for loc in updated.locations] == [
        ('file:///x', {'k': 1}, 'active')]
    again = db.image_update(db_ctx, image.id, {'properties': {'a': '5'},
                                               'locations': [{'url': 'file:///y'}]})
    assert {p.name: p.value for p in again.properties} == {'a': '5', 'b': '3', 'c': '4'}
    assert [loc.value for loc in again.locations] == ['file:///y']
    db.image_update(db_ctx, image.id, {'locations': [{'url': 'file:///y'},
                                                     {'url': 'file:///z'}]})
    with count_statements() as statements:
        got = db.image_get(db_ctx, image.id)
    assert len(queries(statements)) == 1  # the children joined: one round trip
    assert [p.name for p in got.properties] == ['a', 'b', 'c']  # 3 x 2 x 2 joined rows
    assert [t.value for t in got.tags] == ['y', 'z']
    assert [loc.value for loc in got.locations] == ['file:///y', 'file:///z']


def test_removing_a_missing_property_changes_nothing(db_ctx):
    image = _image(db_ctx, properties={'a': '1'})
    with pytest.raises(exception.ImagePropertyNotFound):
        db.image_update(db_ctx, image.id, {'name': 'changed'}, remove_props=['nope'])
    got = db.image_get(db_ctx, image.id)
    assert got.name is None and [p.name for p in got.properties] == ['a']


def test_update_from_state_guards_transitions(db_ctx):
    image = _image(db_ctx)
    db.image_update(db_ctx, image.id, {'status': 'saving'}, from_state='queued')
    with pytest.raises(exception.ImageStatusConflict, match='saving'):
        db.image_update(db_ctx, image.id, {'status': 'saving'}, from_state='queued')


def test_update_unknown_column_is_a_bug(db_ctx):
    image = _image(db_ctx)
    with pytest.raises(TypeError, match='no_such'):
        db.image_update(db_ctx, image.id, {'no_such': 1})


def test_destroy_marks_image_and_children_deleted(db_ctx):
    image = _image(db_ctx, properties={'a': '1'}, tags=['t'])
    db.image_update(db_ctx, image.id, {'locations': [{'url': 'file:///data'}]})
    db.image_member_create(db_ctx, image.id, 'p2')
    deleted = db.image_destroy(db_ctx, image.id)
    assert deleted.status == 'deleted' and deleted.deleted and deleted.deleted_at
    assert [loc.value for loc in deleted.locations] == ['file:///data']
    with pytest.raises(exception.ImageNotFound):
        db.image_get(db_ctx, image.id)
    with pytest.raises(exception.ImageNotFound):
        db.image_destroy(db_ctx, image.id)
    with pytest.raises(exception.ImageNotFound):
        db.image_update(db_ctx, image.id, {'name': 'x'})
    shown = db.image_get(nova_context.get_admin_context(read_deleted='yes'), image.id)
    assert shown.status == 'deleted' and shown.properties == [] and shown.locations == []
    assert db.image_member_find(db_ctx, image.id) == []
    with db_session.reader() as session:
        statuses = session.execute(sa.text(
            'SELECT status FROM image_locations WHERE image_id = :id'), {'id': image.id})
        assert [row[0] for row in statuses] == ['deleted']


def test_tags_add_is_idempotent_and_delete_missing_fails(db_ctx):
    image = _image(db_ctx)
    db.image_tag_add(db_ctx, image.id, 'x')
    db.image_tag_add(db_ctx, image.id, 'x')
    assert [t.value for t in db.image_get(db_ctx, image.id).tags] == ['x']
    db.image_tag_delete(db_ctx, image.id, 'x')
    with pytest.raises(exception.ImageTagNotFound):
        db.image_tag_delete(db_ctx, image.id, 'x')
    db.image_tag_add(db_ctx, image.id, 'x')  # a removed tag can come back
    assert [t.value for t in db.image_get(db_ctx, image.id).tags] == ['x']


def test_members(db_ctx):
    image = _image(db_ctx, visibility='shared')
    member = db.image_member_create(db_ctx, image.id, 'p2')
    assert (member.member, member.status, member.can_share) == ('p2', 'pending', False)
    with pytest.raises(exception.ImageMemberExists):
        db.image_member_create(db_ctx, image.id, 'p2')
    db.image_member_create(db_ctx, image.id, 'p3')
    assert db.image_member_update(db_ctx, image.id, 'p2', {'status': 'accepted'}).status == \
        'accepted'
    assert [m.member for m in db.image_member_find(db_ctx, image.id)] == ['p2', 'p3']
    assert [m.member for m in db.image_member_find(db_ctx, image.id, status='accepted')] == [
        'p2']
    assert db.image_member_get(db_ctx, image.id, 'p3').status == 'pending'
    db.image_member_delete(db_ctx, image.id, 'p3')
    with pytest.raises(exception.ImageMemberNotFound):
        db.image_member_get(db_ctx, image.id, 'p3')
    with pytest.raises(exception.ImageMemberNotFound):
        db.image_member_delete(db_ctx, image.id, 'p3')
    with pytest.raises(exception.ImageMemberNotFound):
        db.image_member_update(db_ctx, image.id, 'p3', {'status': 'accepted'})
    db.image_member_create(db_ctx, image.id, 'p3')  # shared again after removal


# ---------------------------------------------------------------- visibility

@pytest.fixture
def images(db_ctx):
    """One image of each visibility owned by p1, a member list, and p2's own private one."""
    made = {vis: _image(db_ctx, name=vis, visibility=vis).id
            for vis in ('public', 'private', 'shared', 'community')}
    made['pending'] = _image(db_ctx, name='pending', visibility='shared').id
    made['p2-private'] = _image(db_ctx, owner='p2', name='p2-private').id
    db.image_member_create(db_ctx, made['shared'], 'p2', status='accepted')
    db.image_member_create(db_ctx, made['pending'], 'p2')
    return made


def _names(ctx, **kwargs):
    return sorted(image.name for image in db.image_get_all(ctx, **kwargs))


def test_get_follows_glance_visibility(images):
    p1, p2, p3 = _project('p1'), _project('p2'), _project('p3')
    for name in images:
        if name != 'p2-private':
            assert db.image_get(p1, images[name]).id == images[name]
    for name in ('public', 'community', 'shared', 'pending', 'p2-private'):
        assert db.image_get(p2, images[name]).id == images[name]
    with pytest.raises(exception.ImageNotFound):
        db.image_get(p2, images['private'])
    for name in ('private', 'shared', 'pending', 'p2-private'):
        with pytest.raises(exception.ImageNotFound):
            db.image_get(p3, images[name])
    anonymous = nova_context.RequestContext()
    assert db.image_get(anonymous, images['public']).name == 'public'
    with pytest.raises(exception.ImageNotFound):
        db.image_get(anonymous, images['private'])


def test_list_follows_glance_visibility(images, db_ctx):
    p1, p2, p3 = _project('p1'), _project('p2'), _project('p3')
    assert _names(p1) == ['community', 'pending', 'private', 'public', 'shared']
    assert _names(p2) == ['p2-private', 'public', 'shared']  # others' community: ask for it
    assert _names(p3) == ['public']
    assert _names(p3, filters={'visibility': 'community'}) == ['community']
    assert _names(p2, member_status='pending') == ['p2-private', 'pending', 'public']
    assert _names(p2, member_status='all') == ['p2-private', 'pending', 'public', 'shared']
    assert _names(p2, filters={'visibility': 'shared'}) == ['shared']
    assert _names(p2, filters={'visibility': 'private'}) == ['p2-private']
    assert _names(p2, filters={'visibility': 'all'}) == [
        'community', 'p2-private', 'public', 'shared']
    assert len(db.image_get_all(db_ctx)) == 6


def test_marker_must_be_visible(images):
    with pytest.raises(exception.InvalidInput, match='marker'):
        db.image_get_all(_project('p3'), marker=images['private'])


# ------------------------------------------------------ filters, sort, paging

def test_filters(db_ctx):
    a = _image(db_ctx, name='a', size=10, disk_format='raw', container_format='bare',
               properties={'os_distro': 'ubuntu'}, tags=['x', 'y'], status='active')
    b = _image(db_ctx, name='b', size=20, disk_format='qcow2', container_format='bare',
               properties={'os_distro': 'fedora'}, tags=['x'], os_hidden=True)
    _image(db_ctx, name='c', owner='p2', protected=True)

    def names(**filters):
        return sorted(i.name for i in db.image_get_all(db_ctx, filters=filters))

    assert names(name='a') == ['a']
    assert names(name=['a', 'c']) == ['a', 'c']
    assert names(id=[a.id, b.id]) == ['a', 'b']
    assert names(status='active') == ['a']
    assert names(owner='p2') == ['c']
    assert names(disk_format='qcow2') == ['b']
    assert names(container_format='bare') == ['a', 'b']
    assert names(size_min=15) == ['b']
    assert names(size_max=15) == ['a']
    assert names(tags=['x']) == ['a', 'b']
    assert names(tags=['x', 'y']) == ['a']
    assert names(properties={'os_distro': 'fedora'}) == ['b']
    assert names(properties={'os_distro': 'debian'}) == []
    assert names(os_hidden=False) == ['a', 'c']
    assert names(protected=True) == ['c']
    assert names(visibility='private', name='a') == ['a']


def test_sort_and_keyset_paging_are_total(db_ctx):
    sizes = [30, None, 10, 30, None, 20, 10]
    made = [_image(db_ctx, name='img%d' % i, size=size) for i, size in enumerate(sizes)]
    for keys, dirs in ((['size'], ['asc']), (['size', 'name'], ['desc', 'asc']),
                       (['name'], ['desc']), (None, None)):
        everything = [i.id for i in db.image_get_all(db_ctx, sort_keys=keys, sort_dirs=dirs)]
        assert sorted(everything) == sorted(i.id for i in made)
        paged, marker = [], None
        while True:
            page = db.image_get_all(db_ctx, sort_keys=keys, sort_dirs=dirs, limit=2,
                                    marker=marker)
            if not page:
                break
            paged += [i.id for i in page]
            marker = page[-1].id
        assert paged == everything
    by_size = db.image_get_all(db_ctx, sort_keys=['size', 'name'], sort_dirs=['asc'])
    assert [i.size for i in by_size] == [None, None, 10, 10, 20, 30, 30]


def test_default_order_is_newest_first(db_ctx):
    made = [_image(db_ctx, name=str(i)).id for i in range(3)]
    assert [i.id for i in db.image_get_all(db_ctx)] == made[::-1]


def test_bad_sort_requests(db_ctx):
    with pytest.raises(exception.InvalidInput, match='sort key'):
        db.image_get_all(db_ctx, sort_keys=['checksum; drop'])
    with pytest.raises(exception.InvalidInput, match='asc or desc'):
        db.image_get_all(db_ctx, sort_keys=['name'], sort_dirs=['up'])
    with pytest.raises(exception.InvalidInput, match='one per sort key'):
        db.image_get_all(db_ctx, sort_keys=['name', 'size', 'id'], sort_dirs=['asc', 'desc'])
