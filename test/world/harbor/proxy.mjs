// Two forwarders. `forward`: the Harbor front sends /v2/* to the registry, as Harbor's nginx does
// (Host kept, so the registry's upload Locations point back at the front). `ingress`: an nginx-like
// ingress in front of the Harbor front with a request body limit (nginx's client_max_body_size,
// default 1m): a larger body is answered 413 with nginx's page, as a Kubernetes ingress does to a
// big layer upload.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export async function forward(req, res, target, { delayMs = 0 } = {}) {
  req.pause();
  if (delayMs > 0) await sleep(delayMs);
  const [host, port] = target.split(':');
  const upstream = request(
    { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bad gateway: ${e.message}\n`);
  });
  req.pipe(upstream);
  req.resume();
}

const PAGE_413 =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function tooLarge(req, res, state) {
  state.stats.ingress413 += 1;
  res.writeHead(413, {
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(PAGE_413),
    connection: 'close',
  });
  res.end(PAGE_413);
  // read the rest of the body, as nginx does before closing, so the client sees the answer
  req.resume();
}

export function ingress(req, res, target, state) {
  const limit = state.ingressMaxBodyBytes;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (limit > 0 && declared > limit) return tooLarge(req, res, state);
  if (limit <= 0 || !req.headers['transfer-encoding']) return void forward(req, res, target);
  // chunked body: count as it streams; past the limit, cut the upstream and answer 413
  const [host, port] = target.split(':');
  let seen = 0;
  let cut = false;
  const upstream = request(
    { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      if (cut) return answer.resume();
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!cut && !res.headersSent) res.writeHead(502).end();
  });
  req.on('data', (chunk) => {
    if (cut) return;
    seen += chunk.length;
    if (seen > limit) {
      cut = true;
      upstream.destroy();
      tooLarge(req, res, state);
      return;
    }
    if (!upstream.write(chunk)) {
      req.pause();
      upstream.once('drain', () => req.resume());
    }
  });
  req.on('end', () => {
    if (!cut) upstream.end();
  });
}
