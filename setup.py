"""Packaging for Nova: the daemons are console_scripts (bin/ holds thin wrappers).

The build also makes what is generated from sources in the tree (pyproject.toml
lists docutils and babel as build requirements): the man pages, from
doc/man/*.rst to troff with docutils' manpage writer (rst2man), installed in
share/man/man1 (nova-manage) and share/man/man8 (the daemons); and the message
catalogs, nova/locale/LANG/LC_MESSAGES/nova.po compiled to nova.mo next to it.
"""
import glob
import os
import re

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

MAN_BUILD = os.path.join('doc', 'man', 'build')
MAN_SECTION = re.compile(r'^:Manual section: *(\d)', re.M)


def man_pages():
    """[(rst source, troff page, section)] for every doc/man/*.rst."""
    pages = []
    for source in sorted(glob.glob(os.path.join('doc', 'man', '*.rst'))):
        with open(source, encoding='utf-8') as f:
            section = MAN_SECTION.search(f.read()).group(1)
        name = os.path.basename(source)[:-len('.rst')]
        pages.append((source, os.path.join(MAN_BUILD, '%s.%s' % (name, section)), section))
    return pages


def build_man_pages():
    """rst2man every page; a docutils warning (bad markup) fails the build."""
    from docutils.core import publish_file
    from docutils.writers import manpage
    os.makedirs(MAN_BUILD, exist_ok=True)
    for source, page, _section in man_pages():
        publish_file(source_path=source, destination_path=page, writer=manpage.Writer(),
                     settings_overrides={'halt_level': 2, 'report_level': 2})


def compile_catalogs():
    """nova.po -> nova.mo for every language (gettext reads only the .mo)."""
    from babel.messages import mofile, pofile
    for po_path in glob.glob(os.path.join('nova', 'locale', '*', 'LC_MESSAGES', '*.po')):
        with open(po_path, 'rb') as f:
            catalog = pofile.read_po(f)
        with open(po_path[:-3] + '.mo', 'wb') as f:
            mofile.write_mo(f, catalog)


class BuildWithGenerated(build_py):
    """build_py that first makes the man pages and .mo files (also for pip install -e)."""

    def run(self):
        build_man_pages()
        compile_catalogs()
        self.__dict__.pop('data_files', None)  # listed again (lazily) with the fresh .mo files
        super().run()


def man_data_files():
    return [('share/man/man%s' % section, [page for _s, page, sec in man_pages()
                                            if sec == section])
            for section in sorted({section for _s, _p, section in man_pages()})]

DAEMONS = ['api', 'compute', 'network', 'volume', 'objectstore', 'scheduler',
           'image', 'serialproxy', 'instancemonitor', 'all', 'manage', 'dhcpbridge']

setup(
    name='nova',
    version='0.1.0',
    description='An IaaS control plane: EC2, OpenStack Compute, S3 and Glance APIs',
    python_requires='>=3.11',
    packages=find_packages(exclude=['tests', 'tests.*']),
    include_package_data=True,
    package_data={'nova.db': ['migrations/*.ini', 'migrations/*.py',
                              'migrations/versions/*.py'],
                  'nova': ['locale/*/LC_MESSAGES/*.mo', 'locale/*.pot']},
    cmdclass={'build_py': BuildWithGenerated},
    data_files=man_data_files(),
    install_requires=[
        'eventlet>=0.36',
        'kombu>=5.3',
        'sqlalchemy>=2.0',
        'alembic>=1.12',
        'webob>=1.8',
        'routes>=2.5',
        'PasteDeploy>=3.0',
        'Paste>=3.5',
        'oslo.config>=9.0',
        'boto3>=1.28',
        'cryptography>=41',
        'oslo.policy>=4.0',
        'jsonschema>=4',
        'orjson>=3.9',
        'defusedxml>=0.7',  # every XML body from users (S3, bundle manifests)
        'awscrt>=0.20',  # S3's CRC32C and CRC64NVME checksums (what botocore uses)
        # the instance monitor's round-robin archives and graphs (builds against
        # librrd-dev: tools/install_build_deps.sh), and CloudWatch's CBOR protocol
        'rrdtool>=0.1.16',
        'cbor2>=5.4',
        'pycdlib>=1.14',  # config drive ISO images, pure Python (nova.virt.configdrive)
    ],
    extras_require={
        'postgres': ['psycopg[binary]>=3.1'],
        'mysql': ['PyMySQL>=1.1'],
        # the libvirt virt driver; builds against libvirt-dev (tools/install_deps.sh)
        'libvirt': ['libvirt-python>=9.0'],
        'xenapi': ['XenAPI>=24'],  # the XenAPI virt driver's client
        # babel extracts nova/locale/nova.pot (tools/i18n.sh)
        'test': ['pytest>=7', 'babel>=2.12', 'pytest-timeout>=2.1', 'hypothesis>=6', 'psycopg[binary]>=3.1',
                 'XenAPI>=24',
                 'PyMySQL>=1.1', 'ruff>=0.4', 'keystoneauth1>=5.0',
                 # the unmodified clients the client tests drive
                 'awscli>=1.29', 'python-openstackclient>=6', 'openstacksdk>=1',
                 'python-novaclient>=18', 'python-glanceclient>=4'],
    },
    entry_points={'console_scripts': [
        'nova-%s = nova.cmd.%s:main' % (name, name) for name in DAEMONS]},
)
