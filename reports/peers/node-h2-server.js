// Node's http2 module (nghttp2 inside) as an h2c server with prior knowledge: reads every request
// body, answers 200 `ok N` on any path. Usage: node node-h2-server.js PORT
const http2 = require('http2');
const port = Number(process.argv[2]);
const server = http2.createServer();
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
server.listen(port, '127.0.0.1');
