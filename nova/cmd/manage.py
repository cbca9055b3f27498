"""nova-manage entry point."""
import io
import sys

from nova.cmd import common
from nova.manage import (account, bootstrap, config, db, dispatch, flavor, image, network,
                         policy, project, service, shell, user, vm, volume)

CATEGORIES = [db.DbCommands, service.ServiceCommands, config.ConfigCommands,
              shell.ShellCommands, flavor.FlavorCommands, project.ProjectCommands,
              user.UserCommands, account.RoleCommands, account.CredentialCommands,
              bootstrap.BootstrapCommands, image.ImageCommands, network.NetworkCommands,
              network.FloatingCommands, network.FixedCommands, vm.VmCommands,
              volume.VolumeCommands, policy.PolicyCommands]


def help_text():
    """nova-manage --help: the categories and their commands, then the flags."""
    from nova.cmd import usage as flag_usage
    from nova.manage import usage
    out = io.StringIO()
    usage(CATEGORIES, out)
    return out.getvalue() + '\n' + flag_usage.flags_help('nova-manage')


def main(argv=None):
    words = common.init('nova-manage', sys.argv[1:] if argv is None else argv,
                        stop_at_positional=True, check_db=False, need_rpc=False,
                        help_text=help_text)
    return dispatch(CATEGORIES, words)
