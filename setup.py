"""Installs hallucinet_mm, a HalluciNet plugin for MMAction2."""
import os
import os.path as osp
import shutil
import sys

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


MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')


def add_mim_extension():
    """Puts configs, tools, demo and model-index.yml under hallucinet_mm/.mim.

    OpenMMLab's ``mim`` (``mim train/test/search hallucinet_mm ...``) looks
    for them there in the installed package. An editable or develop
    install links them (the checkout stays the single copy); a regular
    install or wheel build copies them.
    """
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif any(cmd in sys.argv
             for cmd in ('install', 'bdist_wheel', 'sdist', 'build')):
        mode = 'copy'
    else:
        return
    mim_root = osp.join(HERE, 'hallucinet_mm', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(HERE, name)
        dst = osp.join(mim_root, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)


add_mim_extension()
setup(
    name='hallucinet_mm',
    version=get_version(),
    description='HalluciNet (hallucinating 3D-CNN features with a 2D-CNN) '
    'as an MMAction2 plugin',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(
        exclude=('configs', 'tools', 'tools.*', 'tests', 'tests.*', 'demo')),
    include_package_data=True,
    python_requires='>=3.8',
    install_requires=parse_requirements('requirements/runtime.txt'),
    extras_require=dict(
        tests=parse_requirements('requirements/tests.txt'),
        deploy=parse_requirements('requirements/deploy.txt')),
    zip_safe=False,
)
