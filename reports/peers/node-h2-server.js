// Node's http2 module (nghttp2 inside) as an HTTP/2 server: h2c with prior knowledge, or with a
// certificate and key over TLS (`http2.createSecureServer`, ALPN h2 only); reads every request body,
// answers 200 `ok N` on any path. Usage: node node-h2-server.js PORT [CERT.pem KEY.pem]
const fs = require('fs');
const http2 = require('http2');
const [port, cert, key] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const server = cert ? http2.createSecureServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) })
                    : http2.createServer();
server.on('stream', (stream) => {
  let length = 0;
  stream.on('data', (chunk) => { length += chunk.length; });
  stream.on('end', () => {
    if (stream.destroyed || stream.closed) return;
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end(`ok ${length}\n`);
  });
  stream.on('error', () => {});
});
server.on('sessionError', () => {});
server.on('tlsClientError', () => {});
server.listen(port, '127.0.0.1');
