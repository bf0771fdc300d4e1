"""Installs hallucinet_mm, a HalluciNet plugin for MMAction2."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version():
    """Reads ``__version__`` from hallucinet_mm/version.py without importing."""
    namespace = {}
    with open(osp.join(HERE, 'hallucinet_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def parse_requirements(fname):
    """Reads a requirements file, following ``-r`` includes."""
    requirements = []
    with open(osp.join(HERE, fname)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                requirements += parse_requirements(
                    osp.join(osp.dirname(fname), line[3:].strip()))
            else:
                requirements.append(line)
    return requirements


setup(
    name='hallucinet_mm',
    version=get_version(),
    description='HalluciNet (hallucinating 3D-CNN features with a 2D-CNN) '
    'as an MMAction2 plugin',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.8',
    install_requires=parse_requirements('requirements/runtime.txt'),
    extras_require=dict(
        tests=parse_requirements('requirements/tests.txt'),
        deploy=parse_requirements('requirements/deploy.txt')),
    zip_safe=False,
)
