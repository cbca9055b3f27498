"""First start: an admin user and project, EC2 keys, and a novarc to source.

``ensure_admin`` is idempotent: it creates what is missing and leaves the rest.
The novarc is the only place the generated password is written; when it is
gone while the admin user exists, the password is replaced by a new one so
that the new novarc works.
"""
import logging
import os
import shlex
import tempfile

from nova import context as nova_context
from nova import exception
from nova.auth import endpoints
from nova.auth import manager
from nova.auth import passwords
from nova.auth import roles
from nova.conf import CONF

LOG = logging.getLogger(__name__)

ADMIN_USER = 'admin'
ADMIN_PROJECT = 'admin'


def _ensure_project(ctxt):
    try:
        return manager.get_project_by_name(ctxt, ADMIN_PROJECT)
    except exception.ProjectNotFound:
        return manager.create_project(ctxt, ADMIN_PROJECT, 'Cloud administration')


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
        LOG.warning('%s is missing: the admin password is replaced by a new one', path)
        password = passwords.generate_password()
        manager.update_user(ctxt, user.id, password=password)
    if password is not None:
        write_private(path, novarc_text(user.name, password, project.name, credential))
        LOG.info('Admin credentials written to %s', path)
    return created
