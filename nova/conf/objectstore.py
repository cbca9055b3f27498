"""nova-objectstore: where buckets live and the limits of the S3 API."""
from oslo_config import cfg

from nova.conf import paths

opts = [
    cfg.StrOpt('buckets_path', default=paths.state_path_def('buckets'),
               help='Directory holding one directory per bucket (objects, uploads in '
                    'progress, temporary files). Its filesystem must support user '
                    'extended attributes: object metadata is kept in them.'),
    cfg.StrOpt('s3_host_suffix',
               help='Host name under which <bucket>.<suffix> addresses a bucket '
                    '(virtual-host-style requests). Default: --public_endpoint_host '
                    'when set, else localhost.'),
    cfg.IntOpt('s3_max_object_size', default=5 * 1024 ** 3, min=1,
               help='Largest object one PutObject or CopyObject may write, in bytes '
                    '(larger objects are uploaded in parts).'),
    cfg.IntOpt('s3_min_part_size', default=5 * 1024 ** 2, min=1,
               help='Smallest part, in bytes, of a multipart upload but its last part.'),
    cfg.IntOpt('s3_io_chunk_size', default=4 * 1024 ** 2, min=4096,
               help='Bytes read from the client or from disk at a time when streaming '
                    'objects in and out.'),
    cfg.IntOpt('s3_hash_threads_min', default=64 * 1024, min=0,
               help='Bodies whose first chunk has at least this many bytes get their MD5, '
                    'SHA-256 and checksums computed in native threads beside the stream '
                    '(hashlib runs on another core meanwhile); smaller ones in the request\'s '
                    'own thread. 0: never in threads.'),
    cfg.IntOpt('s3_direct_io_min', default=0, min=0,
               help='A body\'s bytes past its first this many are written to their file '
                    'with O_DIRECT, around the page cache (the disk written while the body '
                    'streams in; a later GET reads the disk), and a range read at least '
                    'this large is read with O_DIRECT. 0 (the default): always through the '
                    'page cache, so that an object read soon after it was written comes '
                    'from memory. Filesystems without O_DIRECT always get the page cache.'),
    cfg.IntOpt('s3_auth_cache_ttl', default=5, min=0,
               help='Seconds an access key, its secret and its user\'s roles are reused '
                    'without asking the database (0: always ask). Bounds how late '
                    'nova-objectstore notices a deleted key or a removed role.'),
    cfg.IntOpt('s3_lifecycle_interval', default=3600, min=0,
               help='Seconds between two sweeps applying the buckets\' lifecycle rules '
                    '(expirations, aborted uploads); 0 never sweeps.'),
    cfg.IntOpt('s3_stale_tmp_age', default=86400, min=60,
               help='Seconds after which temporary files of interrupted writes are '
                    'removed when nova-objectstore starts.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
