"""EC2 API, AWS request signatures and the metadata service."""
from oslo_config import cfg

opts = [
    cfg.IntOpt('aws_signature_skew', default=900, min=1,
               help='Seconds a signed EC2 or S3 request (X-Amz-Date, Timestamp) may be '
                    'away from the server clock; outside it the request is refused '
                    'as expired or replayed.'),
    cfg.StrOpt('ec2_default_instance_type', default='m1.small',
               help='Flavor (name or id) RunInstances uses when no InstanceType is given.'),
    cfg.StrOpt('ec2_path', default='/services/Cloud',
               help='Path of the EC2 API under its listener (also served at /).'),
    cfg.IntOpt('ec2_terminated_visible_seconds', default=3600, min=0,
               help='How long a terminated instance stays in DescribeInstances, as on AWS.'),
    cfg.BoolOpt('service_metadata_proxy', default=False,
                help='The metadata service sits behind a proxy that names the instance '
                     'with X-Instance-ID, X-Instance-ID-Signature and X-Forwarded-For.'),
    cfg.BoolOpt('use_forwarded_for', default=False,
                help='The metadata service sits behind a proxy of the cloud that puts the '
                     'guest\'s address in X-Forwarded-For: instances are found by the '
                     'last address of that header. Only with a proxy that sets it itself.'),
    cfg.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
               help='Secret of the HMAC-SHA256 X-Instance-ID-Signature a metadata proxy '
                    'sends (used only with --service_metadata_proxy).'),
    cfg.StrOpt('metadata_token_secret', default='', secret=True,
               help='Key of the IMDSv2 tokens the metadata service gives (PUT '
                    '/latest/api/token); set it alike on every nova-api so that they '
                    'accept each other\'s tokens. Empty: a random key per process.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
