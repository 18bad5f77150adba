#!/usr/bin/env python3
"""Writes a stand-in pure-python wheel: make-wheel.py OUT_DIR NAME VERSION (test world only)."""
import base64
import hashlib
import re
import sys
import zipfile

out_dir, name, version = sys.argv[1:4]
mod = re.sub(r"[-.]+", "_", name).lower()
dist = "%s-%s" % (mod, version)
files = {
    "%s/__init__.py" % mod: '"""tslim test-world stand-in for %s."""\n__version__ = "%s"\n' % (name, version),
    "%s.dist-info/METADATA" % dist: "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: tslim test-world stand-in\n" % (name, version),
    "%s.dist-info/WHEEL" % dist: "Wheel-Version: 1.0\nGenerator: tslim-world\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "%s.dist-info/top_level.txt" % dist: mod + "\n",
}
record = []
for path, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append("%s,sha256=%s,%d" % (path, digest, len(text.encode())))
record.append("%s.dist-info/RECORD,," % dist)
files["%s.dist-info/RECORD" % dist] = "\n".join(record) + "\n"
target = "%s/%s-py3-none-any.whl" % (out_dir, dist)
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for path, text in files.items():
        info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        z.writestr(info, text)
print(target)
