"""Schema versions: `nova-manage db sync|version`, and the check every daemon runs.

Alembic runs from code: its configuration is built here with the migrations
directory inside this package, so no alembic.ini is needed wherever Nova runs.
Only `db sync` needs alembic: the daemons' version check reads the numbered chain
of revision files (NNNN_name.py, one line: a unit test holds every file to it)
and the alembic_version table, so no daemon carries alembic, mako and pygments
(12 MiB of every process) for one comparison at start.
"""
import os

import sqlalchemy as sa

from nova import exception
from nova.db import session as db_session

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'migrations')
VERSIONS_DIR = os.path.join(MIGRATIONS_DIR, 'versions')


def alembic_config(connection=None):
    """An alembic Config for Nova's migrations; env.py migrates on connection."""
    from alembic import config as alembic_config_module
    config = alembic_config_module.Config()
    config.set_main_option('script_location', MIGRATIONS_DIR)
    config.attributes['connection'] = connection
    return config


def _scripts():
    from alembic import script as alembic_script
    return alembic_script.ScriptDirectory.from_config(alembic_config())


def known_revisions():
    """This code's revisions in order ('0001', '0002', ...), from the file names."""
    return sorted(name.split('_', 1)[0] for name in os.listdir(VERSIONS_DIR)
                  if name.endswith('.py') and name[:4].isdigit())


def head_version():
    """The revision this code expects."""
    return known_revisions()[-1]


def db_version():
    """The database's revision, or None for an empty database."""
    with db_session.get_engine().connect() as connection:
        if not sa.inspect(connection).has_table('alembic_version'):
            return None
        return connection.execute(sa.text('SELECT version_num FROM alembic_version')).scalar()


def db_sync(version=None):
    """Upgrade the schema to head (or to version), in one transaction where the DB can."""
    from alembic import command
    from alembic import util as alembic_util
    with db_session.get_engine().begin() as connection:
        try:
            command.upgrade(alembic_config(connection), version or 'head')
        except alembic_util.CommandError as e:
            raise exception.InvalidInput(reason=str(e)) from e


def check_current():
    """Raise DBNotSynced when the database is behind this code (daemons refuse to start).

    Behind: empty, or at a revision this code knows that is not head. A revision
    this code does not know is newer code's: during a rolling upgrade the schema
    moves first and the daemons follow, so it is accepted.
    """
    current, revisions = db_version(), known_revisions()
    head = revisions[-1]
    if current is None or (current != head and current in revisions):
        raise exception.DBNotSynced(current=current or 'none (empty database)', expected=head)
