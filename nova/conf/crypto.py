"""The cloud's certificate authority and image bundle decryption."""
from oslo_config import cfg

from nova.conf import paths

opts = [
    cfg.StrOpt('ca_path', default=paths.state_path_def('CA'),
               help='Directory of the cloud\'s certificate authority: cacert.pem (the '
                    'cloud cert users encrypt image bundles for) and private/cakey.pem. '
                    'Both are generated on first use.'),
    cfg.IntOpt('ca_key_bits', default=2048, min=2048,
               help='Size of the RSA keys the CA generates (its own and users\').'),
    cfg.IntOpt('ca_cert_days', default=3650, min=1,
               help='Days the CA certificate and the certificates it signs are valid.'),
    cfg.StrOpt('image_decryption_dir', default=paths.state_path_def('image-decryption'),
               help='Scratch directory where a registered image bundle is assembled, '
                    'decrypted and untarred before it is uploaded to the image service; '
                    'needs room for about twice the bundle size.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
