"""What a user needs to bundle images, in one zip: a key and certificate of
their own signed by the cloud's CA, the cloud's certificate, and an ec2rc.sh
pointing the EC2 tools (and euca2ools' EC2_CERT/EUCALYPTUS_CERT) at them."""
import io
import os
import shlex
import zipfile

from nova import crypto
from nova.auth import endpoints


def ec2rc_text(credential):
    """Shell lines for the EC2/S3 clients; certificate paths relative to the file."""
    values = [('EC2_ACCESS_KEY', credential.access), ('EC2_SECRET_KEY', credential.secret),
              ('AWS_ACCESS_KEY_ID', credential.access),
              ('AWS_SECRET_ACCESS_KEY', credential.secret),
              ('EC2_URL', endpoints.url('ec2', '/services/Cloud')),
              ('S3_URL', endpoints.url('objectstore')), ('EC2_USER_ID', credential.user_id)]
    lines = ['NOVA_KEY_DIR=$(dirname "$(readlink -f "${BASH_SOURCE:-$0}")")\n']
    lines += ['export %s=%s\n' % (name, shlex.quote(value)) for name, value in values]
    lines += ['export EC2_PRIVATE_KEY=${NOVA_KEY_DIR}/pk.pem\n',
              'export EC2_CERT=${NOVA_KEY_DIR}/cert.pem\n',
              'export NOVA_CERT=${NOVA_KEY_DIR}/cacert.pem\n',
              'export EUCALYPTUS_CERT=${NOVA_KEY_DIR}/cacert.pem\n']
    return ''.join(lines)


def credentials_zip(credential):
    """The zip (bytes): pk.pem, cert.pem, cacert.pem and ec2rc.sh of an EC2 credential."""
    key_pem, cert_pem = crypto.generate_user_cert(credential.user_id, credential.project_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('pk.pem', key_pem)
        archive.writestr('cert.pem', cert_pem)
        archive.writestr('cacert.pem', crypto.ca_cert_pem())
        archive.writestr('ec2rc.sh', ec2rc_text(credential))
    return buffer.getvalue()


def write_private(path, data):
    """Write bytes to a new file only its owner may read (it holds a private key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
