// The world's static HTTP server (plain Node, no deps, so it runs detached with `node`):
// serves .world/http (apt repos, pip index) on 127.0.0.1 only.
// Usage: node static-server.mjs ROOT PORT
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';

const [root, port] = [path.resolve(process.argv[2] ?? '.'), Number(process.argv[3] ?? 5056)];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.gz': 'application/gzip',
  '.deb': 'application/vnd.debian.binary-package',
  '.whl': 'application/zip',
  '.json': 'application/json',
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let file = path.join(root, decodeURIComponent(url.pathname));
  if (!file.startsWith(root)) return end(res, 403);
  try {
    let stat = await fs.stat(file);
    if (stat.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { Location: `${url.pathname}/` });
        return res.end();
      }
      file = path.join(file, 'index.html');
      stat = await fs.stat(file);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  } catch {
    end(res, 404);
  }
  console.log(`${new Date().toISOString()} ${req.method} ${url.pathname} ${res.statusCode}`);
});

function end(res, code) {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(`${code}\n`);
}

server.listen(port, '127.0.0.1', () => console.log(`serving ${root} on http://127.0.0.1:${port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
