#!/usr/bin/env python3
"""Repack a Debian python3-<name> .deb (already extracted) as a wheel, for the real world's pip index.

The test world reaches no PyPI. The real Triton server's python models need a working numpy, and
compose recipes `pip install numpy`: this turns Debian 12's own python3-numpy (a real build of
numpy 1.24.2 for CPython 3.11) into numpy-1.24.2-cp311-cp311-linux_x86_64.whl. The wheel links
Debian's libblas.so.3 / liblapack.so.3 (the real -min image carries libblas3 and liblapack3).

usage: repack-deb-wheel.py ROOT NAME VERSION OUTDIR
  ROOT: the .deb extracted with dpkg-deb -x; NAME: the import package (numpy)
"""
import base64
import hashlib
import os
import sys
import zipfile

root, name, version, outdir = sys.argv[1:5]
site = os.path.join(root, 'usr/lib/python3/dist-packages')
pkg = os.path.join(site, name)
if not os.path.isdir(pkg):
    sys.exit(f'{pkg}: no such package in the extracted .deb')

abis = {f.split('.')[-2] for _, _, files in os.walk(pkg) for f in files if f.endswith('.so') and '.cpython-' in f}
if len(abis) != 1:
    sys.exit(f'expected one CPython ABI among the extensions, found {sorted(abis)}')
abi = abis.pop()  # e.g. cpython-311-x86_64-linux-gnu
py = 'cp' + abi.split('-')[1]
tag = f'{py}-{py}-linux_{abi.split("-")[2]}'
dist_info = f'{name}-{version}.dist-info'
wheel_path = os.path.join(outdir, f'{name}-{version}-{tag}.whl')

files = {}
for dirpath, dirnames, filenames in os.walk(pkg):
    dirnames.sort()
    for f in sorted(filenames):
        if f.endswith('.pyc'):
            continue
        full = os.path.join(dirpath, f)
        with open(full, 'rb') as fh:
            files[os.path.relpath(full, site)] = fh.read()
files[f'{dist_info}/METADATA'] = (
    f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n'
    f'Summary: {name} {version} repacked from Debian 12 python3-{name} by tslim\'s test world\n'
).encode()
files[f'{dist_info}/WHEEL'] = (
    f'Wheel-Version: 1.0\nGenerator: tslim-test-world\nRoot-Is-Purelib: false\nTag: {tag}\n'
).encode()
files[f'{dist_info}/top_level.txt'] = f'{name}\n'.encode()


def digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()


record = ''.join(f'{p},sha256={digest(d)},{len(d)}\n' for p, d in files.items()) + f'{dist_info}/RECORD,,\n'
files[f'{dist_info}/RECORD'] = record.encode()

tmp = wheel_path + '.tmp'
with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as z:
    for p, d in files.items():
        info = zipfile.ZipInfo(p, date_time=(2024, 1, 1, 0, 0, 0))
        info.external_attr = (0o755 if p.endswith('.so') else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, d)
os.replace(tmp, wheel_path)
print(wheel_path)
