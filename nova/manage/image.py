"""nova-manage image: bundles, the metadata definitions catalog, the test guest.

``bundle`` makes an image bundle as euca-bundle-image does.

The bundle is encrypted for the cloud's certificate (or --ec2cert) and for
the user's own (--cert/--privatekey, e.g. from ``nova-manage project
zipfile``; without them a fresh key signed by the cloud's CA is used). The
manifest and parts go to --destination; with --bucket they are also stored
in that objectstore bucket of the project (made if missing), ready for
``RegisterImage ImageLocation=BUCKET/PREFIX.manifest.xml``.

``metadefs load|unload|export`` is glance-manage's load_metadefs,
unload_metadefs and export_metadefs: the definition files of --path (default
--metadefs_dir) into the catalog, the catalog emptied, or written out.

``register-guest DIR`` uploads the test guest tools/guest-image/build made.
"""
import json
import os
import posixpath
import tempfile

from nova import crypto
from nova import exception
from nova.auth import manager
from nova.conf import CONF
from nova.i18n import _
from nova.image import metadefs
from nova.image import service as image_service
from nova.image.bundle import make
from nova.manage import Category, UsageError, arg, command, say
from nova.manage.user import admin_context
from nova.objectstore import storage


def _read(path, what):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as e:
        raise exception.InvalidInput(reason='cannot read the %s %s: %s' % (
            what, path, e.strerror))


def _image_type(kernel, ramdisk, image_type):
    """euca-bundle-image's '--kernel true' marks a kernel, '--ramdisk true' a ramdisk."""
    if kernel == 'true':
        return 'kernel', None, ramdisk
    if ramdisk == 'true':
        return 'ramdisk', kernel, None
    return image_type, kernel, ramdisk


def _store_in_bucket(project, bucket_name, paths, folder):
    """Put the files into the project's bucket (made private if missing); their keys."""
    store = storage.Store(CONF.buckets_path)
    try:
        bucket = store.get_bucket(bucket_name)
    except exception.BucketNotFound:
        bucket = store.create_bucket(bucket_name, project.id, project.name, 'private')
    if bucket.owner != project.id:
        raise exception.Forbidden(reason='bucket %s belongs to another project' % bucket_name)
    keys = []
    for path in paths:
        key = posixpath.join(folder, os.path.basename(path)) if folder else \
            os.path.basename(path)
        with open(path, 'rb') as f:
            store.put_object(bucket, key, iter(lambda: f.read(make.CHUNK), b''),
                             {'content_type': 'application/octet-stream', 'headers': {},
                              'meta': {}, 'acl': 'private'})
        keys.append(key)
    return keys


# the guest tools/guest-image/build makes: file -> (image name suffix, format)
GUEST_PARTS = (('vmlinuz', '-kernel', 'aki'), ('initrd.img', '-ramdisk', 'ari'),
               ('disk.img', '', 'ami'))


def _upload_file(service, ctxt, image_id, path):
    with open(path, 'rb') as f:
        return service.upload(ctxt, image_id, f, size=os.path.getsize(path))


def register_guest(ctxt, directory, name, visibility='public', owner=None):
    """Upload a built test guest as AKI, ARI and an AMI naming them; the three images."""
    try:
        with open(os.path.join(directory, 'manifest.json')) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise exception.InvalidInput(reason='%s is not a guest built by tools/guest-image/'
                                            'build (no readable manifest.json: %s)'
                                            % (directory, e)) from e
    service = image_service.get_default_image_service()
    taken = service.detail(ctxt, filters={'name': [name + suffix
                                                   for _, suffix, _ in GUEST_PARTS]})
    if taken:
        raise exception.ImageExists(image_id='%s (%s)' % (taken[0]['name'], taken[0]['id']))
    images, ids = [], {}
    for filename, suffix, disk_format in GUEST_PARTS:
        properties = {'description': 'Nova test guest (%s, kernel %s)' % (
            filename, manifest.get('kernel_version'))}
        if disk_format == 'ami':
            properties.update(kernel_id=ids['aki'], ramdisk_id=ids['ari'])
        values = {'name': name + suffix, 'visibility': visibility,
                  'disk_format': disk_format, 'container_format': disk_format,
                  'properties': properties}
        if owner:
            values['owner'] = owner
        image = service.create(ctxt, values)
        try:
            image = _upload_file(service, ctxt, image['id'], os.path.join(directory, filename))
        except Exception:
            service.delete(ctxt, image['id'])
            raise
        images.append(image)
        ids[disk_format] = image['id']
    return images


class ImageCommands(Category):
    name = 'image'
    help = ('Image bundles (make one and store it in a bucket, as euca-bundle-image does), '
            'the metadata definitions catalog, and the test guest for real VMs')

    @command('Metadata definitions: load the files of --path into the catalog (existing '
             'namespaces are skipped, or completed with --merge), unload every namespace, '
             'or export each namespace to --path as a file',
             arg('action', choices=('load', 'unload', 'export')),
             arg('--path', help='directory of definition files (default: --metadefs_dir)'),
             arg('--merge', action='store_true',
                 help='load: add the missing definitions to existing namespaces'))
    def metadefs(self, action, path=None, merge=False):
        ctxt = admin_context()
        if action == 'load':
            loaded, skipped = metadefs.load(ctxt, path, merge=merge)
            say(_('Loaded %d namespace(s)%s.') % (len(loaded), ': ' + ', '.join(loaded)
                                                 if loaded else ''))
            if skipped:
                say(_('Skipped %d that exist already (use --merge to complete them): %s')
                      % (len(skipped), ', '.join(skipped)))
        elif action == 'unload':
            say(_('Unloaded %d namespace(s).') % metadefs.unload(ctxt))
        else:
            written = metadefs.export(ctxt, path)
            say(_('Exported %d namespace(s) to %s.') % (len(written),
                                                       path or CONF.metadefs_dir))


    @command('Register the guest tools/guest-image/build made: an AKI, an ARI and an AMI '
             'whose kernel_id/ramdisk_id name them',
             arg('directory', help='the directory tools/guest-image/build printed'),
             arg('--name', default='nova-guest',
                 help='the AMI\'s name; the AKI and ARI add -kernel and -ramdisk '
                      '(%(default)s)'),
             arg('--private', action='store_true', help='private to --project (default: '
                                                        'public)'),
             arg('--project', help='owning project (name or id)'))
    def register_guest(self, directory, name='nova-guest', private=False, project=None):
        ctxt = admin_context()
        if private and not project:
            raise UsageError(_('a --private image needs its --project'))
        owner = manager.find_project(ctxt, project).id if project else None
        images = register_guest(ctxt, directory, name, 'private' if private else 'public',
                                owner)
        for image in images:
            say('%s  %s  %s' % (image['id'], image['disk_format'], image['name']))

    @command('Bundle an image file: tar, gzip, AES encrypt, split into 10 MiB parts, '
             'write PREFIX.manifest.xml',
             arg('file', help='the image file'),
             arg('--user', required=True, help='the bundling user (name or id)'),
             arg('--project', required=True, help='its project (name or id)'),
             arg('--destination', '-d', help='directory for the manifest and parts '
                                             '(default: a temporary one with --bucket, '
                                             'else the current directory)'),
             arg('--prefix', '-p', help='file name prefix (default: the image file name)'),
             arg('--bucket', '-b', help='also store the bundle in this bucket'),
             arg('--folder', help='key prefix ("directory") inside the bucket'),
             arg('--type', dest='image_type', default='machine',
                 choices=('machine', 'kernel', 'ramdisk')),
             arg('--kernel', help='kernel image id (aki-...), or "true": this is a kernel'),
             arg('--ramdisk', help='ramdisk image id (ari-...), or "true": this is a ramdisk'),
             arg('--arch', '-r', default='x86_64', help='architecture (%(default)s)'),
             arg('--cert', '-c', help="the user's certificate (PEM)"),
             arg('--privatekey', '-k', help="the user's private key (PEM)"),
             arg('--ec2cert', help="the cloud's certificate (default: this cloud's CA)"))
    def bundle(self, file, user, project, destination=None, prefix=None, bucket=None,
               folder=None, image_type='machine', kernel=None, ramdisk=None, arch='x86_64',
               cert=None, privatekey=None, ec2cert=None):
        if bool(cert) != bool(privatekey):
            raise UsageError(_('give both --cert and --privatekey, or neither'))
        ctxt = admin_context()
        found_user = manager.find_user(ctxt, user)
        found_project = manager.find_project(ctxt, project)
        if not manager.get_roles(ctxt, found_user.id, found_project.id):
            raise exception.ProjectAccessDenied(user_id=found_user.id,
                                                project_id=found_project.id)
        if cert:
            user_cert, user_key = _read(cert, 'certificate'), _read(privatekey, 'private key')
        else:
            user_key, user_cert = crypto.generate_user_cert(found_user.id, found_project.id)
        cloud_cert = _read(ec2cert, 'cloud certificate') if ec2cert else crypto.ca_cert_pem()
        image_type, kernel, ramdisk = _image_type(kernel, ramdisk, image_type)
        with tempfile.TemporaryDirectory(prefix='bundle-') as scratch:
            out = destination or (scratch if bucket else os.getcwd())
            manifest_path, parts = make.make_bundle(
                file, out, cloud_cert, user_cert, user_key, prefix=prefix,
                user=found_user.id, image_type=image_type, kernel_id=kernel,
                ramdisk_id=ramdisk, architecture=arch)
            if destination or not bucket:
                say(_('Wrote %s and %d part(s) to %s.') % (os.path.basename(manifest_path),
                                                           len(parts), out))
            if bucket:
                keys = _store_in_bucket(found_project, bucket, parts + [manifest_path],
                                        (folder or '').strip('/'))
                say(_('Stored in bucket %s; register it with ImageLocation=%s/%s')
                      % (bucket, bucket, keys[-1]))
