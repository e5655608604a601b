// Node's own HTTP server (llhttp), reading every request body, answering 200 on any path.
const http = require('http');
const port = Number(process.argv[2]);
http.createServer((request, response) => {
  let length = 0;
  request.on('data', (chunk) => { length += chunk.length; });
  request.on('end', () => {
    response.setHeader('Content-Type', 'text/plain');
    response.end(`ok ${length}\n`);
  });
}).listen(port, '127.0.0.1');
