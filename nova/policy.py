"""Policy: who may call which API, as oslo.policy rules with Nova's defaults.

Every rule has a default registered here, so an empty --policy_file works;
the file (etc/nova/policy.yaml lists every default, commented out) overrides
single rules and is re-read when it changes. Rules test the caller's roles
(admin, manager, member, reader: each implies the next, see nova.auth.roles)
against the target's project and user.
"""
import logging
import threading
import time

from oslo_config import cfg
from oslo_policy import _checks as oslo_policy_checks
from oslo_policy import policy as oslo_policy

from nova import exception
from nova.conf import CONF
from nova.i18n import _LE

LOG = logging.getLogger(__name__)

ADMIN = 'rule:context_is_admin'
MEMBER = 'rule:project_member_or_admin'
MANAGER = 'rule:project_manager_or_admin'
READER = 'rule:project_reader_or_admin'
ANY = '@'
KEYPAIR_OWNER = '(rule:context_is_admin) or user_id:%(user_id)s'
# readers only read: making or deleting even one's own key pair takes a member role
KEYPAIR_WRITER = '(rule:context_is_admin) or (role:member and user_id:%(user_id)s)'

BASE_RULES = [
    ('context_is_admin', 'role:admin', 'Who is an administrator of the cloud.'),
    ('admin_api', 'is_admin:True', 'Cloud administrators only.'),
    ('project_member_api', 'role:member and project_id:%(project_id)s',
     'Members of the target project.'),
    ('project_reader_api', 'role:reader and project_id:%(project_id)s',
     'Readers (and members) of the target project.'),
    ('project_manager_api', 'role:manager and project_id:%(project_id)s',
     'Managers of the target project.'),
    ('project_member_or_admin', 'rule:project_member_api or rule:context_is_admin',
     'Members of the target project, or administrators.'),
    ('project_manager_or_admin', 'rule:project_manager_api or rule:context_is_admin',
     'Managers of the target project, or administrators.'),
    ('project_reader_or_admin', 'rule:project_reader_api or rule:context_is_admin',
     'Readers of the target project, or administrators.'),
]

_SERVER_ACTIONS = ('delete', 'update', 'confirm_resize', 'revert_resize', 'reboot', 'resize',
                   'rebuild', 'create_image', 'start', 'stop', 'create:attach_volume',
                   'create:attach_network')


def _rules(prefix, check, *names):
    return [('os_compute_api:%s%s' % (prefix, name), check, None) for name in names]


COMPUTE_RULES = (
    _rules('servers:', READER, 'index', 'detail', 'show', 'show:flavor-extra-specs')
    + _rules('servers:', ADMIN, 'index:get_all_tenants', 'detail:get_all_tenants',
             'allow_all_filters', 'show:host_status', 'create:forced_host',
             'create:requested_destination', 'create:zero_disk_flavor',
             'migrations:index:host')
    + _rules('servers:', MANAGER, 'migrations:index', 'migrations:show',
             'migrations:force_complete', 'migrations:delete')
    + _rules('servers:', MEMBER, 'create', 'trigger_crash_dump', *_SERVER_ACTIONS)
    + _rules('os-server-shares:', READER, 'index', 'show')
    + _rules('os-server-shares:', MEMBER, 'create', 'delete')
    + _rules('os-extended-server-attributes', ADMIN, '')
    + _rules('os-pause-server:', MEMBER, 'pause', 'unpause')
    + _rules('os-suspend-server:', MEMBER, 'suspend', 'resume')
    + _rules('', MEMBER, 'os-rescue', 'os-unrescue', 'os-console-output', 'os-create-backup',
             'os-remote-consoles')
    + _rules('os-shelve:', MEMBER, 'shelve', 'unshelve')
    + _rules('os-shelve:', ADMIN, 'shelve_offload', 'unshelve_to_host')
    + _rules('os-lock-server:', MEMBER, 'lock', 'unlock')
    + _rules('os-security-groups:', MEMBER, 'add', 'remove', 'create', 'update', 'delete',
             'rule:create', 'rule:delete')
    + _rules('os-security-groups:', READER, 'get', 'show', 'list')
    + _rules('os-lock-server:', ADMIN, 'unlock:unlock_override')
    + _rules('os-migrate-server:', MANAGER, 'migrate', 'migrate_live')
    + _rules('os-migrate-server:', ADMIN, 'migrate:host', 'migrate_live:host')
    + _rules('os-deferred-delete:', MEMBER, 'restore', 'force')
    + _rules('os-admin-actions:', ADMIN, 'reset_state', 'inject_network_info',
             'reset_network')
    + _rules('', MEMBER, 'os-admin-password')
    + _rules('os-hosts:', ADMIN, 'list', 'show', 'update', 'reboot', 'shutdown', 'start')
    + _rules('os-instance-usage-audit-log:', ADMIN, 'list', 'show')
    + _rules('os-quota-class-sets:', ADMIN, 'show', 'update')
    + _rules('os-server-password:', READER, 'show')
    + _rules('os-server-password:', MEMBER, 'clear')
    + _rules('os-server-external-events:', 'rule:context_is_admin or role:service', 'create')
    + _rules('', ADMIN, 'os-server-diagnostics', 'os-evacuate', 'os-console-auth-tokens')
    + _rules('os-migrations:', MANAGER, 'index')
    + _rules('os-migrations:', ADMIN, 'index:all_projects', 'index:host')
    + _rules('server-metadata:', READER, 'index', 'show')
    + _rules('server-metadata:', MEMBER, 'create', 'update', 'update_all', 'delete')
    + _rules('os-server-tags:', READER, 'index', 'show')
    + _rules('os-server-tags:', MEMBER, 'create', 'update', 'update_all', 'delete',
             'delete_all')
    + _rules('ips:', READER, 'index', 'show')
    + _rules('os-instance-actions:', READER, 'list', 'show')
    + _rules('os-instance-actions:', ADMIN, 'events', 'events:details')
    + _rules('os-server-groups:', READER, 'index', 'show')
    + _rules('os-server-groups:', MEMBER, 'create', 'delete')
    + _rules('os-server-groups:', ADMIN, 'index:all_projects')
    + _rules('os-flavor-manage:', ADMIN, 'create', 'update', 'delete')
    + _rules('os-flavor-extra-specs:', READER, 'index', 'show')
    + _rules('os-flavor-extra-specs:', ADMIN, 'create', 'update', 'delete')
    + _rules('os-flavor-access', ADMIN, '', ':add_tenant_access', ':remove_tenant_access')
    + _rules('os-keypairs:', KEYPAIR_OWNER, 'index', 'show')
    + _rules('os-keypairs:', KEYPAIR_WRITER, 'create', 'delete')
    + _rules('limits', ANY, '')
    + _rules('limits:', ADMIN, 'other_project')
    + _rules('os-quota-sets:', READER, 'show', 'detail')
    + _rules('os-quota-sets:', ANY, 'defaults')
    + _rules('os-quota-sets:', ADMIN, 'update', 'delete')
    + _rules('os-availability-zone:', READER, 'list')
    + _rules('os-availability-zone:', ADMIN, 'detail')
    + _rules('os-hypervisors:', ADMIN, 'list', 'list-detail', 'show', 'statistics', 'uptime',
             'search', 'servers')
    + _rules('os-services:', ADMIN, 'list', 'update', 'delete')
    + _rules('os-aggregates:', ADMIN, 'index', 'create', 'show', 'update', 'delete',
             'add_host', 'remove_host', 'set_metadata', 'images')
    + _rules('os-simple-tenant-usage:', READER, 'show')
    + _rules('os-simple-tenant-usage:', ADMIN, 'list')
    + _rules('extensions', ANY, '')
    + [('compute:server:topology:index', READER, None),
       ('compute:server:topology:host:index', ADMIN, None)]
)


SELF_OR_ADMIN = 'rule:context_is_admin or user_id:%(user_id)s'


def _identity(check, *names):
    return [('identity:%s' % name, check, None) for name in names]


# the identity API (Keystone v3 subset): administrators manage, users read themselves
IDENTITY_RULES = (
    _identity(ADMIN, 'list_projects', 'create_project', 'update_project', 'delete_project',
              'list_users', 'create_user', 'update_user', 'delete_user', 'create_role',
              'delete_role', 'create_grant', 'revoke_grant', 'check_grant', 'list_grants')
    + _identity('rule:context_is_admin or project_id:%(project_id)s', 'get_project')
    + _identity(SELF_OR_ADMIN, 'get_user', 'list_user_projects', 'list_role_assignments')
    + _identity('user_id:%(user_id)s', 'change_password')
    + _identity(ANY, 'get_domain', 'list_domains', 'get_role', 'list_roles')
)


# The image service's writes (Glance's rule names), checked in nova.image.service
# so that the Glance v2 API, the compute API's image proxy and EC2 all meet them.
# The target is the image's owner project ('project_id'), and for a membership
# the member project ('member_id'). Reads need no rule: the registry shows each
# project only what it may see.
IMAGE_MEMBER_OF_TARGET = 'role:member and project_id:%(member_id)s'
IMAGE_RULES = (
    [(name, MEMBER, None) for name in (
        'add_image', 'modify_image', 'delete_image', 'upload_image', 'deactivate',
        'reactivate', 'add_member', 'delete_member', 'communitize_image')]
    + [('modify_member', '(%s) or rule:context_is_admin' % IMAGE_MEMBER_OF_TARGET, None),
       ('publicize_image', ADMIN, None)]
    + [(name, ADMIN, None) for name in ('get_tasks', 'get_task', 'add_task')]
    + [('%s_metadef_%s' % (verb, what), ADMIN, None)
       for what in ('namespace', 'object', 'property', 'tag')
       for verb in ('add', 'modify', 'delete')]
    + [(name, ADMIN, None) for name in ('add_metadef_resource_type_association',
                                        'remove_metadef_resource_type_association')]
)


# the Compute API's nova-network proxies (to 2.35), floating IP actions (to 2.43)
# and a server's interfaces (os-interface)
NETWORK_PROXY_RULES = (
    _rules('os-networks:', READER, 'list', 'show')
    + _rules('os-networks:', ADMIN, 'create', 'delete', 'add', 'disassociate', 'associate')
    + _rules('os-tenant-networks:', READER, 'list', 'show')
    + _rules('os-tenant-networks:', MEMBER, 'create', 'delete')
    + _rules('os-fixed-ips:', ADMIN, 'show', 'reserve', 'unreserve')
    + _rules('os-floating-ip-pools:', READER, 'list')
    + _rules('os-floating-ips:', READER, 'list', 'show')
    + _rules('os-floating-ips:', MEMBER, 'create', 'delete', 'add', 'remove')
    + _rules('os-floating-ips-bulk:', ADMIN, 'list', 'create', 'delete')
    + _rules('os-attach-interfaces:', READER, 'list', 'show')
    + _rules('os-attach-interfaces:', MEMBER, 'create', 'delete')
)


def _neutron(check, *names):
    return [(name, check, None) for name in names]


# the network API (Neutron's rule names): members manage their project's networks,
# ports, floating IPs and security groups; shared networks, quotas and other
# projects' resources are the administrators'
NETWORK_API_RULES = (
    _neutron(READER, 'get_network', 'get_subnet', 'get_port', 'get_floatingip',
             'get_security_group', 'get_security_group_rule', 'get_quota')
    + _neutron(MEMBER, 'create_network', 'update_network', 'delete_network',
               'create_subnet', 'update_subnet', 'delete_subnet', 'create_port',
               'update_port', 'delete_port', 'create_floatingip', 'update_floatingip',
               'delete_floatingip', 'create_security_group', 'update_security_group',
               'delete_security_group', 'create_security_group_rule',
               'delete_security_group_rule')
    + _neutron(ADMIN, 'create_network:shared', 'update_quota', 'delete_quota')
)


OBJECTSTORE_RULES = [
    ('objectstore:write', MEMBER,
     'S3 requests that change anything (every method but GET, HEAD and OPTIONS), '
     'checked against the caller\'s own project; ACLs and bucket policies then '
     'decide which buckets and objects.'),
]




# the compute API's volume attachments and its volume proxies (to 2.35)
COMPUTE_VOLUME_RULES = (
    _rules('os-volumes-attachments:', READER, 'index', 'show')
    + _rules('os-volumes-attachments:', MEMBER, 'create', 'update', 'delete')
    + _rules('os-volumes-attachments:', ADMIN, 'swap')
    + _rules('os-volumes:', READER, 'list', 'detail', 'show', 'snapshots:list',
             'snapshots:detail', 'snapshots:show')
    + _rules('os-volumes:', MEMBER, 'create', 'delete', 'snapshots:create',
             'snapshots:delete')
)


def _volume_rules(prefix, check, *names):
    return [('%s%s' % (prefix, name), check, None) for name in names]


# the block-storage API, under Cinder's rule names
VOLUME_RULES = (
    _volume_rules('volume:', READER, 'get', 'get_all', 'get_volume_metadata',
                  'get_snapshot', 'get_all_snapshots', 'attachment_get')
    + _volume_rules('volume:', MEMBER, 'create', 'create_from_image', 'update', 'delete',
                    'extend', 'create_volume_metadata', 'update_volume_metadata',
                    'delete_volume_metadata', 'create_snapshot', 'update_snapshot',
                    'delete_snapshot', 'attachment_create', 'attachment_update',
                    'attachment_complete', 'attachment_delete')
    + _volume_rules('volume_extension:volume_actions:', MEMBER, 'upload_image',
                    'initialize_connection', 'terminate_connection', 'attach', 'detach',
                    'reserve', 'unreserve', 'begin_detaching', 'roll_detaching')
    + _volume_rules('volume_extension:volume_admin_actions:', ADMIN, 'reset_status',
                    'force_delete')
    + _volume_rules('volume_extension:snapshot_admin_actions:', ADMIN, 'reset_status',
                    'force_delete')
    + _volume_rules('volume_extension:', ANY, 'type_get', 'type_get_all',
                    'availability_zone_list')
    + _volume_rules('volume_extension:', ADMIN, 'types_manage', 'types_extra_specs',
                    'quotas:update', 'quotas:delete')
    + _volume_rules('volume_extension:', READER, 'quotas:show')
    + _volume_rules('limits_extension:', READER, 'used_limits')
)


# owner (an API plugin's alias) -> its rules, registered when the plugin is loaded
_PLUGIN_RULES = {}


def _builtin_rules():
    return (BASE_RULES + COMPUTE_RULES + IDENTITY_RULES + IMAGE_RULES + NETWORK_PROXY_RULES
            + OBJECTSTORE_RULES + COMPUTE_VOLUME_RULES + VOLUME_RULES + NETWORK_API_RULES)


def defaults():
    """Every registered RuleDefault, base rules first, API plugins' rules last."""
    plugin_rules = [rule for rules in _PLUGIN_RULES.values() for rule in rules]
    return [oslo_policy.RuleDefault(name, check, description)
            for name, check, description in _builtin_rules() + plugin_rules]


def register_plugin_rules(owner, rules):
    """Add (or replace) the rule defaults [(name, check, description)] of an API
    plugin; ValueError names a rule that Nova or another plugin already defines."""
    taken = {name for name, _check, _desc in _builtin_rules()}
    taken.update(name for other, owned in _PLUGIN_RULES.items() if other != owner
                 for name, _check, _desc in owned)
    for name, _check, _desc in rules:
        if name in taken:
            raise ValueError('policy rule %s is already defined' % name)
    _PLUGIN_RULES[owner] = list(rules)
    reset()  # the enforcer registers the new defaults when next built


def forget_plugin_rules():
    """Drop every API plugin's rules (tests that installed a plugin)."""
    _PLUGIN_RULES.clear()
    reset()


_lock = threading.Lock()
_enforcer = None


def _enforcer_conf():
    """oslo.policy's own options, apart from Nova's flags: only the file that
    --policy_file names is read, never a policy.d found in a search path."""
    conf = cfg.ConfigOpts()
    conf([], project='nova', default_config_files=[], default_config_dirs=[])
    return conf


class _PluginCheck:
    """A rule-check plugin (oslo.policy.rule_checks entry point) imported at the
    first rule that uses its kind."""

    def __init__(self, entry_point):
        self.entry_point = entry_point

    def __call__(self, kind, match):
        return self.entry_point.load()(kind, match)


def _defer_check_plugins():
    """oslo.policy imports every rule-check plugin (through stevedore) when it parses
    its first rule, and its http: and https: checks import requests and urllib3: 4-5
    MB in every API process, for rules Nova's defaults never use. Name the installed
    plugins instead, each imported when a rule of its kind is parsed."""
    if getattr(oslo_policy_checks, 'extension_checks', False) is None:  # not looked up yet
        from importlib import metadata
        oslo_policy_checks.extension_checks = {
            entry_point.name: _PluginCheck(entry_point)
            for entry_point in metadata.entry_points(group='oslo.policy.rule_checks')}


def get_enforcer():
    """The process's Enforcer for --policy_file (rebuilt when the flag changes)."""
    global _enforcer
    with _lock:
        _defer_check_plugins()
        if _enforcer is None or _enforcer.policy_file != CONF.policy_file:
            conf = _enforcer_conf()
            enforcer = oslo_policy.Enforcer(conf, policy_file=CONF.policy_file)
            conf.set_override('policy_dirs', [], group='oslo_policy')
            enforcer.register_defaults(defaults())
            _enforcer = enforcer
        return _enforcer


def reset():
    """Forget the enforcer (tests that change the policy file)."""
    global _enforcer
    with _lock:
        _enforcer = None
        _rules_checked[0] = 0.0


def load_rules():
    """The enforcer with the policy file read now; PolicyFileInvalid if it cannot be parsed."""
    enforcer = get_enforcer()
    try:
        enforcer.load_rules(force_reload=True)
    except ValueError as e:  # oslo.policy's word for YAML and JSON syntax errors
        reason = ' '.join(str(e).split())
        raise exception.PolicyFileInvalid(path=CONF.policy_file, reason=reason) from None
    _rules_checked[0] = time.monotonic()
    return enforcer


def rule_table():
    """[(name, default, effective)] for every rule, in registration order, then the
    policy file's rules that Nova does not define (default None: they change nothing)."""
    enforcer = load_rules()
    registered, overrides = enforcer.registered_rules, enforcer.file_rules
    table = [(name, rule.check_str,
              overrides[name].check_str if name in overrides else rule.check_str)
             for name, rule in registered.items()]
    table += [(name, None, rule.check_str) for name, rule in overrides.items()
              if name not in registered]
    return table


def check_rules(context, rules, target):
    """{rule: allowed} for context on target, with the policy file as it is now.

    PolicyRuleNotFound names the first rule Nova does not define.
    """
    enforcer = load_rules()
    for rule in rules:
        if rule not in enforcer.registered_rules:
            raise exception.PolicyRuleNotFound(rule=rule)
    return {rule: authorize(context, rule, target, do_raise=False) for rule in rules}


def _credentials(context):
    return {'user_id': context.user_id, 'project_id': context.project_id,
            'roles': list(context.roles), 'is_admin': context.is_admin}


DECISIONS_KEPT = 10000  # remembered decisions per rule set (a list asks 4 every time)


def _decision_key(context, action, target):
    """What a decision depends on, or None when the target is not hashable."""
    try:
        key = (action, tuple(sorted(target.items())), context.user_id, context.project_id,
               tuple(context.roles), context.is_admin)
        hash(key)
    except TypeError:
        return None
    return key


RULES_CHECK_SECONDS = 1.0  # how often the policy file's change time is looked at
_rules_checked = [0.0]


def _load_rules(enforcer):
    """Re-read the policy file if it changed, looking at most once a second: a
    list asks several decisions per request, each would otherwise stat the file.

    A file edited into a syntax error while the daemon runs leaves the rules read
    before in force (an error is logged once: oslo.policy remembers the file's
    change time), rather than failing requests; with no rules read yet, the
    error is PolicyFileInvalid.
    """
    now = time.monotonic()
    if enforcer.rules and now - _rules_checked[0] < RULES_CHECK_SECONDS:
        return
    try:
        enforcer.load_rules()
    except ValueError as e:  # oslo.policy's word for YAML and JSON syntax errors
        reason = ' '.join(str(e).split())
        if not enforcer.rules:
            raise exception.PolicyFileInvalid(path=CONF.policy_file, reason=reason) from None
        LOG.error(_LE('Policy file %s cannot be parsed (%s): the rules read before it changed '
                  'stay in force'), CONF.policy_file, reason)
    _rules_checked[0] = now


def authorize(context, action, target=None, do_raise=True):
    """Whether context may do action on target (default: its own project and user).

    Raises PolicyNotAuthorized (403) when not allowed and do_raise; an action
    with no registered rule is a programming error (PolicyNotRegistered).
    A decision is a function of the rules, the action, the target and the
    caller, so it is remembered with the loaded rule set: oslo.policy builds a
    new one when the policy file changes, and the remembered ones go with it.
    """
    if target is None:
        target = {'project_id': context.project_id, 'user_id': context.user_id}
    enforcer = get_enforcer()
    _load_rules(enforcer)
    decisions = enforcer.rules.__dict__.setdefault('nova_decisions', {})
    key = _decision_key(context, action, target)
    allowed = decisions.get(key) if key is not None else None
    if allowed is None:
        allowed = enforcer.authorize(action, target, _credentials(context), do_raise=False)
        if key is not None:
            if len(decisions) >= DECISIONS_KEPT:
                decisions.clear()
            decisions[key] = allowed
    if not allowed and do_raise:
        raise exception.PolicyNotAuthorized(action=action)
    return allowed


def check_is_admin(context):
    """Whether the context's roles make it a cloud administrator."""
    return authorize(context, 'context_is_admin', {}, do_raise=False)
