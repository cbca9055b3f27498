"""Which flavor each end of a move holds, and the quota a resize uses."""
import types

from nova.compute import move_claims, resize_quota
from nova.compute.host import claims

TINY = {'id': 1, 'memory_mb': 512, 'vcpus': 1, 'root_gb': 1, 'ephemeral_gb': 0}
SMALL = {'id': 2, 'memory_mb': 2048, 'vcpus': 1, 'root_gb': 20, 'ephemeral_gb': 0}
BIG_CPU = {'id': 3, 'memory_mb': 256, 'vcpus': 4, 'root_gb': 20, 'ephemeral_gb': 0}


def instance(host, cur, old=None, new=None):
    return types.SimpleNamespace(
        uuid='u', host=host, project_id='p', user_id='uu',
        flavor={'cur': cur, 'old': old, 'new': new},
        vcpus=cur['vcpus'], memory_mb=cur['memory_mb'])


def migration(source, dest, kind='resize'):
    return types.SimpleNamespace(source_compute=source, dest_compute=dest, migration_type=kind)


def test_other_end_of_a_resize_between_hosts():
    before = instance('h1', TINY, TINY, SMALL)   # not finished: still on the source
    after = instance('h2', SMALL, TINY, SMALL)   # finished: on the destination
    move = migration('h1', 'h2')
    assert claims.other_end(move, before, 'h2') == SMALL
    assert claims.other_end(move, before, 'h1') is None
    assert claims.other_end(move, after, 'h1') == TINY
    assert claims.other_end(move, after, 'h2') is None


def test_other_end_of_a_resize_on_one_host_is_the_other_flavor():
    move = migration('h1', 'h1')
    assert claims.other_end(move, instance('h1', TINY, TINY, SMALL), 'h1') == SMALL
    assert claims.other_end(move, instance('h1', SMALL, TINY, SMALL), 'h1') == TINY


def test_live_migration_destination_holds_the_current_flavor():
    move = migration('h1', 'h2', 'live-migration')
    assert claims.other_end(move, instance('h1', TINY), 'h2') == TINY
    assert claims.other_end(move, instance('h2', TINY), 'h2') is None


def test_key_and_current_flavor_without_json():
    assert move_claims.key('abc') == 'abc:migration'
    row = types.SimpleNamespace(flavor=None, instance_type_id=7, memory_mb=64, vcpus=2,
                                root_gb=3, ephemeral_gb=1)
    assert move_claims.current_flavor(row) == {'id': 7, 'memory_mb': 64, 'vcpus': 2,
                                               'root_gb': 3, 'ephemeral_gb': 1}


def test_growth_counts_only_what_grows():
    assert resize_quota.growth(TINY, SMALL) == {'ram': 1536}
    assert resize_quota.growth(SMALL, TINY) == {}
    assert resize_quota.growth(TINY, BIG_CPU) == {'cores': 3}


def test_delete_mid_resize_gives_back_the_larger_of_each_resource():
    mid = instance('h2', BIG_CPU, TINY, BIG_CPU)
    assert resize_quota.release_on_delete(mid)['deltas'] == {
        'instances': -1, 'cores': -4, 'ram': -512}
    plain = instance('h1', TINY)
    assert resize_quota.release_on_delete(plain)['deltas'] == {
        'instances': -1, 'cores': -1, 'ram': -512}
