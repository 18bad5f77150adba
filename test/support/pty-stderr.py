"""Runs a command with stderr on a pseudo-terminal (stdin /dev/null, stdout a pipe) and prints one
JSON object: {"code", "stdout", "stderr"}. Node has no pty of its own; the tests that need a TTY on
stderr (compose's closing summary) run the CLI through this."""
import json
import os
import pty
import select
import subprocess
import sys

master, slave = pty.openpty()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
err = b""
out = b""
while True:
    ready, _, _ = select.select([master, child.stdout], [], [], 0.5)
    if child.stdout in ready:
        chunk = child.stdout.read1(65536)
        out += chunk
    if master in ready:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            chunk = b""
        err += chunk
        if not chunk and child.poll() is not None:
            break
    elif not ready and child.poll() is not None:
        break
out += child.stdout.read()
child.wait()
print(json.dumps({"code": child.returncode, "stdout": out.decode(), "stderr": err.decode(errors="replace")}))
