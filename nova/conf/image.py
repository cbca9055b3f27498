"""Image service options: where image data is stored, and the compute-side cache."""
from oslo_config import cfg

from nova.conf import paths

# --image_store short names; any other value is the import path of a store class
IMAGE_STORES = {
    'file': 'nova.image.stores.filesystem.FilesystemStore',
    's3': 'nova.image.stores.s3.S3Store',
}

store_opts = [
    cfg.StrOpt('image_store', default='file',
               help='Store that receives uploaded image data: file, s3, or the import '
                    'path of a nova.image.stores.base.Store subclass.'),
    cfg.IntOpt('image_size_cap', default=1099511627776, min=0,
               help='Largest image upload accepted, in bytes (0: no limit).'),
    cfg.IntOpt('image_property_quota', default=128, min=-1,
               help='Extra properties an image may have (-1: no limit).'),
    cfg.IntOpt('image_tag_quota', default=128, min=-1,
               help='Tags an image may have (-1: no limit).'),
    cfg.IntOpt('image_member_quota', default=128, min=-1,
               help='Projects an image may be shared with (-1: no limit).'),
    cfg.IntOpt('image_upload_heartbeat', default=30, min=0,
               help='Seconds between the marks an upload in progress writes on its '
                    'image, so that one whose process died is told from one still '
                    'streaming: dead after --client_socket_timeout plus twice this.'),
    cfg.IntOpt('image_upload_sweep_interval', default=300, min=1,
               help='Seconds between the image janitor\'s passes (nova-image, nova-all): '
                    'uploads and tasks whose process died are failed, their partial '
                    'files removed.'),
    cfg.StrOpt('filesystem_store_datadir', default=paths.state_path_def('images'),
               help='Directory the filesystem store keeps image files in.'),
    cfg.IntOpt('http_store_timeout', default=60, min=1,
               help='Seconds the read-only http store waits for a server.'),
    cfg.StrOpt('s3_store_host',
               help='S3 endpoint: http(s)://host:port or host:port (http). '
                    'Unset: AWS, from the region.'),
    cfg.StrOpt('s3_store_access_key', help='S3 access key of the image store.'),
    cfg.StrOpt('s3_store_secret_key', secret=True, help='S3 secret key of the image store.'),
    cfg.StrOpt('s3_store_bucket', default='nova-images',
               help='Bucket that holds image objects.'),
    cfg.StrOpt('s3_store_prefix', default='',
               help='Key prefix of image objects in the bucket (e.g. images/).'),
    cfg.StrOpt('s3_store_region_name', default='us-east-1', help='S3 region.'),
    cfg.StrOpt('s3_store_bucket_url_format', default='auto',
               choices=['auto', 'path', 'virtual'],
               help='Bucket addressing: path-style, virtual-host-style, or botocore\'s '
                    'choice.'),
    cfg.BoolOpt('s3_store_create_bucket_on_put', default=False,
                help='Create the bucket on the first upload if it does not exist.'),
    cfg.IntOpt('s3_store_large_object_chunk_size', default=10, min=5,
               help='MiB per part of a multipart upload; data shorter than one part '
                    'is stored with a single PUT.'),
]

cache_opts = [
    cfg.StrOpt('instances_path', default=paths.state_path_def('instances'),
               help='Where instances keep their disks on a compute host.'),
    cfg.StrOpt('image_cache_subdirectory_name', default='_base',
               help='Subdirectory of instances_path holding cached base images.'),
    cfg.IntOpt('remove_unused_base_images_age', default=86400, min=0,
               help='Seconds an unused cached base image is kept before it is removed.'),
]

# how nova-compute reaches images: nova.image.glance
client_opts = [
    cfg.StrOpt('compute_image_api', default='local', choices=['local', 'http'],
               help='How nova-compute reads and writes images: local -- the image service '
                    'in process, with its stores (a compute on the image service\'s own '
                    'host, as nova-all); http -- the Glance v2 API of nova-image '
                    '(--image_api_endpoint), for compute hosts that do not share the '
                    'store.'),
    cfg.StrOpt('image_api_endpoint',
               help='URL of the image API compute hosts use (http://controller:9292). '
                    'Unset: the catalog\'s image endpoint (--public_endpoint_host).'),
    cfg.IntOpt('image_api_timeout', default=60, min=1,
               help='Seconds a compute host waits for the image API to answer.'),
    cfg.StrOpt('image_api_user',
               help='Service user a compute host authenticates as when a request brings '
                    'no token of its own (periodic tasks, recovery at start) or its token '
                    'expired meanwhile. Unset: such requests fail with 401.'),
    cfg.StrOpt('image_api_password', secret=True, help='Password of --image_api_user.'),
    cfg.StrOpt('image_api_project', default='service',
               help='Project the service user\'s token is scoped to.'),
    cfg.StrOpt('image_api_auth_url',
               help='Identity v3 URL for the service user (unset: the catalog\'s).'),
]

import_opts = [
    cfg.ListOpt('image_import_methods', default=['glance-direct', 'web-download'],
                item_type=cfg.types.String(choices=['glance-direct', 'web-download']),
                help='Interoperable import methods offered (GET /v2/info/import).'),
    cfg.ListOpt('image_import_allowed_schemes', default=['http', 'https'],
                help='URL schemes web-download and import tasks may fetch from.'),
    cfg.ListOpt('image_import_allowed_ports', default=['80', '443'],
                help='Ports web-download may connect to (empty: any).'),
    cfg.ListOpt('image_import_disallowed_networks',
                default=['127.0.0.0/8', '::1/128', '0.0.0.0/8', '169.254.0.0/16',
                         'fe80::/10'],
                help='Networks (CIDR) web-download never connects to, whatever a host '
                     'name resolves to: by default the host itself and link-local '
                     'addresses such as the metadata service.'),
    cfg.IntOpt('image_import_timeout', default=60, min=1,
               help='Seconds web-download waits for the remote server.'),
    cfg.IntOpt('image_task_time_to_live', default=48, min=1,
               help='Hours a finished image task stays listed.'),
    cfg.StrOpt('metadefs_dir', default=paths.basedir_def('etc', 'nova', 'metadefs'),
               help='Directory of metadata definition files (Glance\'s format) loaded into '
                    'an empty catalog at first start, and by nova-manage image metadefs.'),
]

opts = store_opts + cache_opts + client_opts + import_opts


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
