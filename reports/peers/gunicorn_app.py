"""gunicorn peer (gthread workers, so the corpus's concurrent connections do not queue behind each other):
a WSGI app that reads the whole request body and answers 200 on any path."""


def app(environ, start_response):
    length = len(environ["wsgi.input"].read())
    body = f"ok {length}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
