"""nova-manage entry point."""
import sys

from nova.cmd import common
from nova.manage import (account, bootstrap, config, db, dispatch, flavor, image, project,
                         service, shell, user)

CATEGORIES = [db.DbCommands, service.ServiceCommands, config.ConfigCommands,
              shell.ShellCommands, flavor.FlavorCommands, project.ProjectCommands,
              user.UserCommands, account.RoleCommands, account.CredentialCommands,
              bootstrap.BootstrapCommands, image.ImageCommands]


def main(argv=None):
    words = common.init('nova-manage', sys.argv[1:] if argv is None else argv,
                        stop_at_positional=True, check_db=False, need_rpc=False)
    return dispatch(CATEGORIES, words)
