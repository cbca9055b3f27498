"""nova-manage policy: every rule with its default and effective value, and what a
caller with given roles may do, both from --policy_file as it is now."""
import os

from nova import context as nova_context
from nova import policy
from nova.api.openstack.compute import plugins
from nova.auth import roles as auth_roles
from nova.conf import CONF
from nova.i18n import _
from nova.manage import Category, UsageError, arg, command, print_table, say


def _print_file():
    missing = '' if os.path.exists(CONF.policy_file) else ' (missing: the defaults apply)'
    say(_('Policy file: %s%s') % (CONF.policy_file, missing))


class PolicyCommands(Category):
    name = 'policy'
    help = 'Policy rules: list (defaults and effective), check (a caller\'s rights)'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plugins.register_policies()  # installed API plugins' rules count too

    @command('List every rule: its default, and its effective value from the policy file '
             '("*" marks an override)',
             arg('filter', nargs='?', help='only rules whose name contains this'))
    def list(self, filter=None):
        rows = []
        for name, default, effective in policy.rule_table():
            if filter and filter not in name:
                continue
            mark = '' if effective == default else '*'
            rows.append([mark + name, '(not a Nova rule)' if default is None else default,
                         effective])
        _print_file()
        print_table(['Rule', 'Default', 'Effective'], rows)

    @command('Whether a caller may do each RULE: prints allowed or denied per rule (exit 0 '
             'either way; 1 for a rule Nova does not define)',
             arg('--user', required=True, help='user id of the caller'),
             arg('--project', required=True, help='project id the caller is scoped to'),
             arg('--role', action='append', default=[], dest='roles', metavar='ROLE',
                 help='a role of the caller in the project (repeat for more; admin '
                      'implies manager, member and reader as in tokens)'),
             arg('--target-project', help='project owning the resource (default: --project)'),
             arg('--target-user', help='user owning the resource (default: --user)'),
             arg('rules', nargs='+', metavar='RULE', help='rule names, as policy list shows'))
    def check(self, user, project, roles, rules, target_project=None, target_user=None):
        for flag, value in (('--user', user), ('--project', project),
                            ('--target-project', target_project),
                            ('--target-user', target_user)):
            if value is not None and not value.strip():
                raise UsageError(_('%s must not be empty') % flag)
        if any(not role.strip() for role in roles):
            raise UsageError(_('--role must not be empty'))
        effective = auth_roles.effective_roles(roles)
        context = nova_context.RequestContext(user_id=user, project_id=project,
                                              roles=effective, overwrite=False)
        target = {'project_id': target_project or project, 'user_id': target_user or user}
        decisions = policy.check_rules(context, rules, target)
        _print_file()
        say(_('Caller: user %s, project %s, roles %s; target: project %s, user %s') % (
            user, project, ', '.join(effective) or '(none)', target['project_id'],
            target['user_id']))
        print_table(['Rule', 'Result'],
                    [[rule, 'allowed' if decisions[rule] else 'denied'] for rule in rules])
