"""First start: an admin user and project, EC2 keys, and a novarc to source; the
service user compute hosts call the image API as.

``ensure_admin`` is idempotent: it creates what is missing and leaves the rest.
The novarc is the only place the generated password is written; when it is
gone while the admin user exists, the password is replaced by a new one so
that the new novarc works.

``ensure_service_user`` is idempotent too. A compute host's periodic tasks
carry no user's token, yet act on any project's images (a shelved server's
snapshot, an unfinished one to delete): the service user holds ``admin`` on
its project for that, and ``service`` to mark it as a service account. Its
password is only printed, never stored in clear: a run on an existing service
user keeps the password unless one is given.
"""
import logging
import os
import re
import shlex
import tempfile

from nova import context as nova_context
from nova import exception
from nova.auth import endpoints
from nova.auth import manager
from nova.auth import passwords
from nova.auth import roles
from nova.conf import CONF
from nova.i18n import _LW

LOG = logging.getLogger(__name__)

ADMIN_USER = 'admin'
ADMIN_PROJECT = 'admin'
SERVICE_ROLES = (roles.ADMIN, roles.SERVICE)
# what a flagfile line (--name=value) holds safely: no blanks, quotes or '#'
_FLAG_NAME = re.compile(r'[A-Za-z0-9_.@-]{1,64}\Z')
_FLAG_SECRET = re.compile(r'[!-~]{8,128}\Z')


def _ensure_project(ctxt, name=ADMIN_PROJECT, description='Cloud administration'):
    try:
        return manager.get_project_by_name(ctxt, name)
    except exception.ProjectNotFound:
        return manager.create_project(ctxt, name, description)


def _ensure_credentials(ctxt, user, project):
    for credential in manager.list_ec2_credentials(ctxt, user.id):
        if credential.project_id == project.id:
            return credential
    return manager.create_ec2_credentials(ctxt, user.id, project.id)


def novarc_text(user_name, password, project_name, credential):
    """Shell lines exporting what the OpenStack, EC2 and AWS clients read."""
    region = CONF.region_name
    ec2_url = endpoints.url('ec2', '/services/Cloud')
    values = [
        ('OS_AUTH_URL', endpoints.auth_url()),
        ('OS_USERNAME', user_name),
        ('OS_PASSWORD', password),
        ('OS_PROJECT_NAME', project_name),
        ('OS_USER_DOMAIN_NAME', 'Default'),
        ('OS_PROJECT_DOMAIN_NAME', 'Default'),
        ('OS_REGION_NAME', region),
        ('OS_IDENTITY_API_VERSION', '3'),
        ('OS_INTERFACE', 'public'),
        ('EC2_ACCESS_KEY', credential.access),
        ('EC2_SECRET_KEY', credential.secret),
        ('EC2_URL', ec2_url),
        ('AWS_ACCESS_KEY_ID', credential.access),
        ('AWS_SECRET_ACCESS_KEY', credential.secret),
        ('AWS_DEFAULT_REGION', region),
        ('S3_URL', endpoints.url('objectstore')),
        ('CLOUDWATCH_URL', endpoints.url('cloudwatch')),
    ]
    return '# Nova credentials of %s: source this file\n%s' % (user_name, ''.join(
        'export %s=%s\n' % (name, shlex.quote(value)) for name, value in values))


def write_private(path, text):
    """Write text to path readable by its owner only, replacing it atomically."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.novarc-')  # mode 0600
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def ensure_admin(novarc_path=None):
    """Make the admin user and project exist and novarc_path (--novarc_path) hold
    their credentials. True when the admin user was created now."""
    path = novarc_path or CONF.novarc_path
    ctxt = nova_context.get_admin_context()
    project = _ensure_project(ctxt)
    password = None
    try:
        user = manager.get_user_by_name(ctxt, ADMIN_USER)
        created = False
    except exception.UserNotFound:
        password = passwords.generate_password()
        user = manager.create_user(ctxt, ADMIN_USER, password,
                                   default_project_id=project.id)
        created = True
        LOG.info('Created the admin user %s', user.id)
    manager.add_role(ctxt, user.id, project.id, roles.ADMIN)
    credential = _ensure_credentials(ctxt, user, project)
    if password is None and not os.path.exists(path):
        LOG.warning(_LW('%s is missing: the admin password is replaced by a new one'), path)
        password = passwords.generate_password()
        manager.update_user(ctxt, user.id, password=password)
    if password is not None:
        write_private(path, novarc_text(user.name, password, project.name, credential))
        LOG.info('Admin credentials written to %s', path)
    return created


def _check_service_user_input(name, project_name, password):
    for what, value in (('user name', name), ('project name', project_name)):
        if not isinstance(value, str) or not _FLAG_NAME.match(value):
            raise exception.InvalidInput(reason='service %s %r: 1 to 64 letters, digits or '
                                         '"_.@-" (it goes on a flagfile line)' % (what, value))
    if name == ADMIN_USER:
        raise exception.InvalidInput(reason='the admin user cannot be the service user '
                                     '(its password is the novarc\'s): choose another name')
    if password is not None and not _FLAG_SECRET.match(password):
        raise exception.InvalidInput(reason='service user password: 8 to 128 printable '
                                     'characters without blanks')


def ensure_service_user(name, project_name, password=None):
    """Make name a service user of project_name (created if missing) holding
    SERVICE_ROLES; (created, password): password is the one given or, for a user
    created now, a generated one; None when an existing user keeps its own.

    A user of that name that is not already a service user of the project (an
    ordinary account) is refused rather than made an administrator. A user created
    now is deleted again if its roles cannot be granted, so a failed run leaves
    nothing a second run would refuse."""
    _check_service_user_input(name, project_name, password)
    ctxt = nova_context.get_admin_context()
    project = _ensure_project(ctxt, project_name, 'Service users of the cloud\'s hosts')
    try:
        user = manager.get_user_by_name(ctxt, name)
    except exception.UserNotFound:
        password = password or passwords.generate_password()
        user = manager.create_user(ctxt, name, password, default_project_id=project.id,
                                   description='service user (nova-manage bootstrap)')
        try:
            for role in SERVICE_ROLES:
                manager.add_role(ctxt, user.id, project.id, role)
        except BaseException:
            manager.delete_user(ctxt, user.id)
            raise
        LOG.info('Created the service user %s in project %s', user.id, project.id)
        return True, password
    held = {role.name for role in manager.get_roles(ctxt, user.id, project.id)}
    if roles.SERVICE not in held:
        raise exception.InvalidInput(reason='user %s exists and is no service user of project '
                                     '%s: choose another name' % (name, project_name))
    for role in SERVICE_ROLES:
        manager.add_role(ctxt, user.id, project.id, role)
    if password is not None:
        manager.update_user(ctxt, user.id, password=password)
    return False, password


def image_api_flags(name, project_name, password=None):
    """The flagfile lines of a compute host that calls the image API as the user
    (without the password line when it is not known)."""
    lines = ['--image_api_user=%s' % name, '--image_api_project=%s' % project_name]
    if password is not None:
        lines.insert(1, '--image_api_password=%s' % password)
    return lines
