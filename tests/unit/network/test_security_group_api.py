"""nova.network.security_groups.SecurityGroupAPI on a real SQLite database: the
rules both front ends share (what a delete or rename may touch, rules by id)."""
import pytest

from nova import context as nova_context
from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.db import api as db
from nova.db import session as db_session
from nova.network import security_groups as sg
from tests.harness import osapi_clients


@pytest.fixture
def api(tmp_path):
    osapi_clients.database(str(tmp_path))
    CONF.set_override('transport_url', 'inproc://')
    rpc.init()  # rule changes tell the compute hosts (a fanout nobody consumes here)
    yield sg.SecurityGroupAPI()
    rpc.cleanup()
    db_session.dispose()


def _member(project):
    return nova_context.RequestContext(user_id='u-' + project, project_id=project,
                                       roles=['member'])


def _peered(api, context):
    """(group, peer): group has a rule allowing peer's members in."""
    group, peer = api.create(context, 'app', ''), api.create(context, 'peer', '')
    api.add_rules(context, group, [sg.validate_rule('tcp', 80, 80,
                                                    source_group_uuid=peer.uuid)])
    return group, peer


def test_a_referenced_group_is_refused_or_its_referencing_rules_dropped(api):
    context = _member('p1')
    group, peer = _peered(api, context)
    with pytest.raises(exception.SecurityGroupInUse, match='refers to it'):
        api.destroy(context, peer)  # EC2: DependencyViolation-like refusal
    assert len(api.get(context, group.uuid).rules) == 1
    api.destroy(context, peer, drop_referencing_rules=True)  # the OpenStack API's way
    assert api.get(context, group.uuid).rules == []
    with pytest.raises(exception.SecurityGroupNotFound):
        api.get(context, peer.uuid)


def test_rename_keeps_names_instances_use_and_default(api):
    context = _member('p1')
    group = api.create(context, 'web', 'old')
    renamed = api.update(context, group, name='www', description='new')
    assert (renamed.name, renamed.description) == ('www', 'new')
    with pytest.raises(exception.InvalidInput, match='default'):
        api.update(context, api.ensure_default(context), name='other')
    with pytest.raises(exception.InvalidInput, match='default'):
        api.update(context, renamed, name='default')
    api.create(context, 'taken', '')
    with pytest.raises(exception.SecurityGroupExists):
        api.update(context, renamed, name='taken')
    with pytest.raises(exception.InvalidInput, match='255'):
        api.update(context, renamed, description='x' * 256)


def test_rules_by_id_stay_in_their_project(api):
    context = _member('p1')
    group = api.create(context, 'web', '')
    [rule] = api.add_rules(context, group, [sg.validate_rule('tcp', 22, 22, cidr='0.0.0.0/0')])
    found, parent = api.get_rule(context, rule.id)
    assert (found.id, parent.uuid) == (rule.id, group.uuid)
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        api.get_rule(_member('p2'), rule.id)  # what another project would remove it by
    api.remove_rule(context, found)
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        api.remove_rule(context, found)  # gone meanwhile
    with pytest.raises(exception.SecurityGroupRuleNotFound):
        api.get_rule(context, rule.id)
    assert db.security_group_get(context, group.uuid).rules == []


def test_a_cidr_can_be_kept_as_given():
    rule = sg.validate_rule('tcp', 1, 2, cidr='10.2.3.124/24', canonical_cidr=False)
    assert rule['cidr'] == '10.2.3.124/24'
    assert sg.validate_rule('tcp', 1, 2, cidr='10.2.3.4', canonical_cidr=False)['cidr'] == \
        '10.2.3.4/32'


def test_groups_are_found_by_name_or_by_id_in_their_project_only(api):
    """Clients that look groups up in the network API (openstack server create
    --security-group NAME) send the group's id where a name was."""
    mine, other = _member('p1'), _member('p2')
    web = api.create(mine, 'web', '')
    assert api.check_names(mine, ['web', web.uuid, 'default']) == ['web', 'web', 'default']
    with pytest.raises(exception.SecurityGroupNotFound):
        api.check_names(other, [web.uuid])
    with pytest.raises(exception.SecurityGroupNotFound):
        api.get_by_name(mine, 'nope')
