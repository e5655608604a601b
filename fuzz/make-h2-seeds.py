#!/usr/bin/env python3
"""Writes the seeds of HTTP2WireFuzz into fuzz/h2-seeds (run again after changing it; the files are
committed). The first byte of each seed selects what the fuzzer reads (Sources/HTTP2WireFuzz/FuzzInput.swift):
0 a client's bytes (requests), 1 a server's bytes (responses), 2 or 3 length-prefixed HPACK blocks
with a 4096- or 256-octet table. Blocks: RFC 7541 Appendix C and own vectors; connections: own vectors
written with python-hpack (h2's dependency)."""
import os
import struct

from hpack import Encoder

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h2-seeds")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def hexbytes(text):
    return bytes.fromhex("".join(text.split()))


def blocks_seed(blocks, table=4096):
    out = bytes([2 if table == 4096 else 3])
    for block in blocks:
        out += struct.pack(">H", len(block)) + block
    return out


def frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def settings(pairs=()):
    return frame(0x4, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


def headers(stream, block, end_stream=False, end_headers=True, priority=None, pad=None):
    flags = (0x1 if end_stream else 0) | (0x4 if end_headers else 0)
    payload = b""
    if pad is not None:
        flags |= 0x8
        payload += bytes([pad])
    if priority is not None:
        flags |= 0x20
        payload += struct.pack(">IB", priority[0], priority[1])
    payload += block + b"\0" * (pad or 0)
    return frame(0x1, flags, stream, payload)


def continuation(stream, fragment, end_headers):
    return frame(0x9, 0x4 if end_headers else 0, stream, fragment)


def data(stream, body, end_stream=False, pad=None):
    flags = 0x1 if end_stream else 0
    payload = body
    if pad is not None:
        flags |= 0x8
        payload = bytes([pad]) + body + b"\0" * pad
    return frame(0x0, flags, stream, payload)


C = {
    "c2-1": ["400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"],
    "c2-2": ["040c 2f73 616d 706c 652f 7061 7468"],
    "c2-3": ["1008 7061 7373 776f 7264 0673 6563 7265 74"],
    "c2-4": ["82"],
    "c3": ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865",
           "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"],
    "c4": ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf",
           "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"],
}
C_256 = {
    "c5": ["4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32"
           "3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
           "4803 3330 37c1 c0bf",
           "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970"
           "7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61"
           "6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"],
    "c6": ["4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad"
           "1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
           "4883 640e ffc1 c0bf",
           "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2"
           "e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"],
}

BROWSER = [(":method", "GET"), (":scheme", "https"), (":authority", "www.example.com"), (":path", "/index.html"),
           ("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
           ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
           ("accept-language", "en-US,en;q=0.5"), ("accept-encoding", "gzip, deflate, br"),
           ("cookie", "session=4f2a9c1e7b"), ("cookie", "theme=dark"), ("te", "trailers")]


def write(name, content):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(content)


def main():
    os.makedirs(HERE, exist_ok=True)
    for name, blocks in C.items():
        write(f"rfc7541-{name}.bin", blocks_seed([hexbytes(b) for b in blocks]))
    for name, blocks in C_256.items():
        write(f"rfc7541-{name}.bin", blocks_seed([hexbytes(b) for b in blocks], table=256))
    # Own HPACK vectors: a size update then indexing, never-indexed, a long integer, eviction.
    write("hpack-size-update-and-indexing.bin", blocks_seed([hexbytes("3fe1 1f 82 86 84 41 8c f1e3 c2e5 f23a 6ba0 ab90 f4ff"),
                                                               hexbytes("20 82 86 84 be")]))
    write("hpack-never-indexed-huffman.bin", blocks_seed([hexbytes("10 8a 9a ca c8 b5 25 42 07 31 7f 86 f1 e3 c2 e5 f2 3a")]))
    write("hpack-eviction.bin", blocks_seed([Encoder().encode([("x-" + str(i), "v" * 40) for i in range(10)])], table=256))

    # Client connections.
    enc = Encoder()
    get = headers(1, enc.encode(BROWSER), end_stream=True)
    post_block = enc.encode([(":method", "POST"), (":scheme", "https"), (":authority", "www.example.com"),
                             (":path", "/echo?x=1"), ("content-length", "5"), ("content-type", "text/plain")])
    post = headers(3, post_block) + data(3, b"he", pad=3) + data(3, b"llo")
    trailers = headers(3, enc.encode([("x-sum", "1")]), end_stream=True)
    write("requests-get-post-trailers.bin", b"\0" + PREFACE + settings([(1, 4096), (4, 65535)]) + get + post + trailers)

    enc = Encoder()
    block = enc.encode(BROWSER + [("x-long", "y" * 200)])
    cut = len(block) // 3
    split = (headers(1, block[:cut], end_stream=True, end_headers=False, priority=(0, 15), pad=2)
             + continuation(1, block[cut:2 * cut], False) + continuation(1, block[2 * cut:], True))
    extras = (frame(0x6, 0, 0, b"\1" * 8) + frame(0x8, 0, 0, struct.pack(">I", 1000)) + frame(0x2, 0, 5, struct.pack(">IB", 0, 3))
              + frame(0xfa, 0x3, 7, b"ext") + frame(0x4, 0x1, 0, b""))
    chunked = headers(5, enc.encode([(":method", "PUT"), (":scheme", "http"), (":authority", "h"), (":path", "/u")]))
    chunked += data(5, b"abc") + frame(0x3, 0, 5, struct.pack(">I", 8))
    write("requests-continuation-priority-padding.bin", b"\0" + PREFACE + settings() + split + extras + chunked)

    enc = Encoder()
    write("requests-cl-mismatch-and-goaway.bin", b"\0" + PREFACE + settings()
          + headers(1, enc.encode([(":method", "POST"), (":scheme", "https"), (":authority", "a"), (":path", "/"),
                                   ("content-length", "10")]))
          + data(1, b"short", end_stream=True) + frame(0x7, 0, 0, struct.pack(">II", 1, 0) + b"bye"))

    # Server connections.
    enc = Encoder()
    write("responses-informational-data-trailers.bin", b"\1" + settings([(3, 100), (4, 1 << 20), (5, 16384)])
          + frame(0x4, 0x1, 0, b"")
          + headers(1, enc.encode([(":status", "103"), ("link", "</s.css>; rel=preload")]))
          + headers(1, enc.encode([(":status", "200"), ("content-type", "text/html"), ("content-length", "4")]))
          + data(1, b"ok", pad=1) + data(1, b"!!")
          + headers(1, enc.encode([("grpc-status", "0")]), end_stream=True)
          + headers(3, enc.encode([(":status", "304"), ("content-length", "99")]), end_stream=True))
    enc = Encoder()
    promise_block = enc.encode([(":method", "GET"), (":scheme", "https"), (":authority", "a"), (":path", "/p.js")])
    write("responses-push-promise.bin", b"\1" + settings()
          + frame(0x5, 0x4, 1, struct.pack(">I", 2) + promise_block)
          + headers(1, enc.encode([(":status", "200")]), end_stream=True)
          + headers(2, enc.encode([(":status", "200"), ("content-length", "1")])) + data(2, b"x", end_stream=True)
          + frame(0x3, 0, 1, struct.pack(">I", 0)) + frame(0x7, 0, 0, struct.pack(">II", 3, 2)))


if __name__ == "__main__":
    main()
