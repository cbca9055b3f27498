"""Policy defaults: admin anywhere, members act and readers look in their own project."""
import http.server
import os
import re
import threading

import pytest
import yaml
from oslo_policy import policy as oslo_policy

from nova import context as nova_context
from nova import exception
from nova import policy
from nova.auth import roles
from nova.conf import CONF


@pytest.fixture(autouse=True)
def _fresh_enforcer():
    policy.reset()
    yield
    policy.reset()


def ctx(role, project='A', user='u1'):
    return nova_context.RequestContext(user_id=user, project_id=project,
                                       roles=roles.effective_roles([role]), overwrite=False)


def allowed(context, action, target=None):
    return policy.authorize(context, action, target, do_raise=False)


def test_member_acts_in_own_project_only():
    member = ctx('member')
    assert allowed(member, 'os_compute_api:servers:create')
    assert allowed(member, 'os_compute_api:servers:delete', {'project_id': 'A'})
    assert not allowed(member, 'os_compute_api:servers:delete', {'project_id': 'B'})
    assert not allowed(member, 'os_compute_api:servers:show', {'project_id': 'B'})


def test_reader_cannot_do_member_actions():
    reader = ctx('reader')
    assert allowed(reader, 'os_compute_api:servers:index')
    assert allowed(reader, 'os_compute_api:servers:show', {'project_id': 'A'})
    for action in ('os_compute_api:servers:create', 'os_compute_api:servers:reboot',
                   'os_compute_api:os-server-tags:update'):
        assert not allowed(reader, action)


def test_admin_can_act_anywhere():
    admin = ctx('admin', project='ops')
    for action in ('os_compute_api:servers:delete', 'os_compute_api:os-services:list',
                   'os_compute_api:os-flavor-manage:create', 'os_compute_api:os-hypervisors:list',
                   'os_compute_api:os-aggregates:create', 'os_compute_api:os-quota-sets:update'):
        assert allowed(admin, action, {'project_id': 'B', 'user_id': 'u9'})
    assert policy.check_is_admin(admin) and not policy.check_is_admin(ctx('member'))


def test_admin_only_rules_refuse_members():
    member = ctx('member')
    for action in ('os_compute_api:os-services:list', 'os_compute_api:os-hypervisors:list',
                   'os_compute_api:os-flavor-manage:delete', 'os_compute_api:os-aggregates:index',
                   'os_compute_api:os-quota-sets:update',
                   'os_compute_api:servers:detail:get_all_tenants'):
        assert not allowed(member, action)


def test_keypairs_belong_to_their_user():
    member = ctx('member', user='u1')
    assert allowed(member, 'os_compute_api:os-keypairs:create', {'user_id': 'u1'})
    assert not allowed(member, 'os_compute_api:os-keypairs:show', {'user_id': 'u2'})


def test_refusal_raises_403_naming_the_action():
    with pytest.raises(exception.PolicyNotAuthorized) as raised:
        policy.authorize(ctx('reader'), 'os_compute_api:servers:create')
    assert raised.value.code == 403
    assert str(raised.value) == ("Policy doesn't allow os_compute_api:servers:create "
                                 "to be performed.")


def test_unregistered_action_is_a_bug():
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        policy.authorize(ctx('admin'), 'os_compute_api:nonsense')


def test_policy_file_overrides_a_rule(tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('"os_compute_api:os-services:list": "role:reader"\n')
    CONF.set_override('policy_file', str(path))
    assert allowed(ctx('reader'), 'os_compute_api:os-services:list')
    assert not allowed(ctx('reader'), 'os_compute_api:servers:create')


def test_remembered_decisions_follow_a_changed_policy_file(tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('"os_compute_api:os-services:list": "role:admin"\n')
    CONF.set_override('policy_file', str(path))
    reader = ctx('reader')
    for _ in range(2):  # the second answer is the remembered one
        assert not allowed(reader, 'os_compute_api:os-services:list')
        with pytest.raises(exception.PolicyNotAuthorized):
            policy.authorize(reader, 'os_compute_api:os-services:list')
    path.write_text('"os_compute_api:os-services:list": "role:reader"\n')
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    # the file is looked at once a second at most: not yet...
    assert not allowed(reader, 'os_compute_api:os-services:list')
    policy._rules_checked[0] -= policy.RULES_CHECK_SECONDS  # ...a second later
    assert allowed(reader, 'os_compute_api:os-services:list')
    # another caller or another target is another decision
    assert not allowed(ctx('reader'), 'os_compute_api:servers:create')
    assert allowed(ctx('member'), 'os_compute_api:servers:create')
    assert not allowed(ctx('member'), 'os_compute_api:servers:create', {'project_id': 'B'})


def test_policy_file_broken_while_running_keeps_the_rules_read_before(tmp_path, caplog):
    path = tmp_path / 'policy.yaml'
    path.write_text('"os_compute_api:os-services:list": "role:reader"\n')
    CONF.set_override('policy_file', str(path))
    reader = ctx('reader')
    assert allowed(reader, 'os_compute_api:os-services:list')
    path.write_text('"os_compute_api:os-services:list": [\n')  # an editor's half-save
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    policy._rules_checked[0] -= policy.RULES_CHECK_SECONDS
    assert allowed(reader, 'os_compute_api:os-services:list')  # no error, old rules
    assert not allowed(reader, 'os_compute_api:servers:create')
    assert 'Policy file %s cannot be parsed' % path in caplog.text
    assert 'the rules read before it changed stay in force' in caplog.text


def test_policy_file_broken_at_start_is_named(tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('"os_compute_api:os-services:list": [\n')
    CONF.set_override('policy_file', str(path))
    with pytest.raises(exception.PolicyFileInvalid) as err:
        allowed(ctx('reader'), 'os_compute_api:os-services:list')
    assert str(path) in str(err.value)


def test_an_http_rule_asks_its_url(tmp_path):
    # oslo.policy's http: check is imported only when a rule uses it (it imports
    # requests: memory in every API process): such a rule still works
    asked = []

    class Checker(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            asked.append(self.path)
            self.rfile.read(int(self.headers['Content-Length']))
            body = b'True' if self.path == '/yes' else b'False'
            self.send_response(200)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(('127.0.0.1', 0), Checker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = 'http://127.0.0.1:%d' % server.server_port
        path = tmp_path / 'policy.yaml'
        path.write_text('"os_compute_api:os-services:list": "%s/yes"\n'
                        '"os_compute_api:os-hypervisors:list": "%s/no"\n' % (url, url))
        CONF.set_override('policy_file', str(path))
        assert allowed(ctx('reader'), 'os_compute_api:os-services:list')
        assert not allowed(ctx('admin'), 'os_compute_api:os-hypervisors:list')
    finally:
        server.shutdown()
        server.server_close()
    assert asked == ['/yes', '/no']


def test_missing_policy_file_means_defaults(tmp_path):
    CONF.set_override('policy_file', str(tmp_path / 'absent.yaml'))
    assert allowed(ctx('member'), 'os_compute_api:servers:create')


def test_shipped_policy_file_lists_every_default_commented_out():
    with open(CONF.policy_file) as f:
        text = f.read()
    assert yaml.safe_load(text) is None  # nothing overridden
    listed = yaml.safe_load(text.replace('\n#"', '\n"'))
    assert listed == {rule.name: rule.check_str for rule in policy.defaults()}


def test_the_sample_file_lists_every_default_as_registered():
    """etc/nova/policy.yaml is what operators edit: it must show every rule as it is."""
    path = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc', 'nova',
                        'policy.yaml')
    with open(path) as sample:
        listed = dict(re.findall(r'^#"([^"]+)": "([^"]*)"$', sample.read(), re.M))
    assert listed == {rule.name: rule.check_str for rule in policy.defaults()}
