// swift-tools-version:6.0
// The parser benchmark: cathammer's HTTPWire against SwiftNIO's HTTPRequestDecoder and nodejs/http-parser, and
// HTTP2Wire's frame parser and HPACK decoder against libnghttp2.
// A package of its own so that the main package never builds swift-nio. Run: `make bench-parser`.
import PackageDescription

let package = Package(
    name: "ParserBenchmark",
    dependencies: [
        .package(name: "cathammer", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
    ],
    targets: [
        .executableTarget(
            name: "ParserBenchmark",
            dependencies: [
                .product(name: "HTTPWire", package: "cathammer"),
                .product(name: "HTTP2Wire", package: "cathammer"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                "CHTTPParserDriver",
                "CNGHTTP2Driver",
                "CAllocationCounter",
            ]
        ),
        // Debian's libhttp-parser-dev (nodejs/http-parser): /usr/include/http_parser.h, -lhttp_parser.
        .systemLibrary(name: "CHTTPParser", pkgConfig: nil, providers: [.apt(["libhttp-parser-dev"])]),
        // Runs http_parser_execute over a buffer with counting callbacks, the way a C program uses it.
        .target(
            name: "CHTTPParserDriver",
            dependencies: ["CHTTPParser"],
            linkerSettings: [.linkedLibrary("http_parser")]
        ),
        // Debian's libnghttp2-dev: /usr/include/nghttp2/nghttp2.h, -lnghttp2. Only this package uses it.
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        // A server session reading a client's bytes with counting callbacks, the way a C server uses it.
        .target(
            name: "CNGHTTP2Driver",
            dependencies: ["CNGHTTP2"],
            linkerSettings: [.linkedLibrary("nghttp2")]
        ),
        // Interposes malloc to count heap allocations per request.
        .target(name: "CAllocationCounter"),
    ]
)
