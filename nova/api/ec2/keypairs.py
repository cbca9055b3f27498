"""CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPair, through
nova.compute.keypairs (key pairs belong to the user, as in Nova)."""
import base64
import binascii

from nova import exception
from nova.api.ec2 import filters
from nova.api.ec2.actions import action
from nova.compute import keypairs

RULE = 'os_compute_api:os-keypairs:%s'


@action('CreateKeyPair', RULE % 'create')
def create_key_pair(call):
    name = call.params.required('KeyName')
    row, private_key = keypairs.create_key_pair(call.context, call.context.user_id, name)
    return {'keyName': row.name, 'keyFingerprint': row.fingerprint,
            'keyMaterial': private_key}


@action('ImportKeyPair', RULE % 'create')
def import_key_pair(call):
    name = call.params.required('KeyName')
    material = call.params.required('PublicKeyMaterial')
    try:
        public_key = base64.b64decode(material, validate=True).decode('utf-8')
    except (binascii.Error, ValueError):
        public_key = material  # a client that sent the key itself
    row = keypairs.import_key_pair(call.context, call.context.user_id, name, public_key)
    return {'keyName': row.name, 'keyFingerprint': row.fingerprint}


@action('DescribeKeyPairs', RULE % 'index')
def describe_key_pairs(call):
    rows = keypairs.get_key_pairs(call.context, call.context.user_id)
    names = call.params.strings('KeyName')
    if names:
        missing = sorted(set(names) - {r.name for r in rows})
        if missing:
            raise exception.KeypairNotFound(user_id=call.context.user_id,
                                            name=', '.join(missing))
        rows = [r for r in rows if r.name in names]
    match = filters.matcher(call.params.filters(), {
        'key-name': lambda r: r.name, 'fingerprint': lambda r: r.fingerprint})
    return {'keySet': [{'keyName': r.name, 'keyFingerprint': r.fingerprint}
                       for r in rows if match(r)]}


@action('DeleteKeyPair', RULE % 'delete')
def delete_key_pair(call):
    """Deleting a key pair that does not exist succeeds, as on AWS."""
    name = call.params.required('KeyName')
    try:
        keypairs.delete_key_pair(call.context, call.context.user_id, name)
    except exception.KeypairNotFound:
        pass
    return {'return': True}
