#!/usr/bin/env python3
"""An OpenAI-compatible endpoint that is not ours: Python's http.server answering with recorded
OpenAI response bodies (tests/fixtures/openai/), so our HTTP and LLM clients are tested against a
server written by someone else (HTTP/1.1 keep-alive, gzip, chunked framing, Retry-After).

    python3 recorded_openai_server.py FIXTURE_DIR      # prints "PORT <n>" once listening

The request's "model" picks the scenario:
    gpt-4o-mini    the recorded chat completion (gzip-compressed when the client accepts it)
    chunked        the same, sent with Transfer-Encoding: chunked in small pieces
    rate-limited   429 with Retry-After: 0 and the recorded error, then (next call) the completion
    bad-key        401 with the recorded invalid_api_key error
GET /_requests returns every request received so far (method, path, headers, body) as JSON.
Loopback only; stops when stdin closes.
"""
import gzip
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIXTURES = sys.argv[1]
LOCK = threading.Lock()
RECEIVED = []
CALLS = {}


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API

    def log_message(self, fmt, *args):  # quiet: the test reads stdout
        pass

    def send_body(self, status, body, extra=()):
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in extra:
            self.send_header(k, v)
        if accepts_gzip and status == 200:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_requests":
            with LOCK:
                body = json.dumps(RECEIVED).encode()
            self.send_body(200, body)
        else:
            self.send_body(404, b'{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        with LOCK:
            RECEIVED.append({"method": "POST", "path": self.path,
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": raw.decode("utf-8", "replace")})
        if self.path != "/v1/chat/completions":
            self.send_body(404, b'{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}')
            return
        model = json.loads(raw).get("model", "")
        with LOCK:
            CALLS[model] = CALLS.get(model, 0) + 1
            n = CALLS[model]
        if model == "bad-key":
            self.send_body(401, fixture("error_401.json"))
        elif model == "rate-limited" and n == 1:
            self.send_body(429, fixture("error_429.json"), [("Retry-After", "0"), ("x-ratelimit-remaining-requests", "0")])
        elif model == "chunked":
            body = fixture("chat_completion.json")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 100):
                part = body[i:i + 100]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_body(200, fixture("chat_completion.json"))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    sys.stdin.read()  # the test closes our stdin (or exits) to stop us
    server.shutdown()


if __name__ == "__main__":
    main()
