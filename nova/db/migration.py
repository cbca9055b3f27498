"""Schema versions: `nova-manage db sync|version`, and the check every daemon runs.

Alembic runs from code: its configuration is built here with the migrations
directory inside this package, so no alembic.ini is needed wherever Nova runs.
"""
import os

from alembic import command
from alembic import config as alembic_config_module
from alembic import script as alembic_script
from alembic import util as alembic_util
from alembic.runtime import migration as alembic_migration

from nova import exception
from nova.db import session as db_session

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'migrations')


def alembic_config(connection=None):
    """An alembic Config for Nova's migrations; env.py migrates on connection."""
    config = alembic_config_module.Config()
    config.set_main_option('script_location', MIGRATIONS_DIR)
    config.attributes['connection'] = connection
    return config


def _scripts():
    return alembic_script.ScriptDirectory.from_config(alembic_config())


def head_version():
    """The revision this code expects."""
    return _scripts().get_current_head()


def db_version():
    """The database's revision, or None for an empty database."""
    with db_session.get_engine().connect() as connection:
        return alembic_migration.MigrationContext.configure(connection).get_current_revision()


def db_sync(version=None):
    """Upgrade the schema to head (or to version), in one transaction where the DB can."""
    with db_session.get_engine().begin() as connection:
        try:
            command.upgrade(alembic_config(connection), version or 'head')
        except alembic_util.CommandError as e:
            raise exception.InvalidInput(reason=str(e)) from e


def _is_behind(current, head):
    """A revision this code knows but is not head; an unknown one is newer code's."""
    if current == head:
        return False
    if current is None:
        return True
    try:
        return _scripts().get_revision(current) is not None
    except alembic_util.CommandError:
        return False


def check_current():
    """Raise DBNotSynced when the database is behind this code (daemons refuse to start).

    A database migrated by a newer release is accepted: during a rolling upgrade
    the schema moves first and the daemons follow.
    """
    current, head = db_version(), head_version()
    if _is_behind(current, head):
        raise exception.DBNotSynced(current=current or 'none (empty database)', expected=head)
