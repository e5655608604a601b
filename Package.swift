// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cathammer",
    products: [
        .executable(name: "cathammer", targets: ["cathammer"]),
        .executable(name: "HTTPWireFuzz", targets: ["HTTPWireFuzz"]),
        .library(name: "HTTPWire", targets: ["HTTPWire"]),
        .library(name: "HTTP2Wire", targets: ["HTTP2Wire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The strict HTTP/1.1 wire format: request and response parsers, serializers. No I/O, no Foundation.
        .target(name: "HTTPWire"),
        // The strict HTTP/2 wire format: frames, HPACK, stream states, flow control, request semantics.
        // No I/O, no Foundation; shares HTTPWire's field rules, request model and violation vocabulary.
        .target(name: "HTTP2Wire", dependencies: ["HTTPWire"]),
        // Linux calls Swift's Glibc module does not expose (epoll, signalfd, eventfd, accept4, pipe2).
        .target(name: "CLinuxShim"),
        // OpenSSL's libcrypto (SHA-256 for /echo), from Debian's libssl-dev.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Debian's OpenSSL 3 (libssl) for TLS in both halves: macro wrappers and the callbacks kept in C
        // (ALPN selection, session-ticket keys, connection events).
        .target(name: "CTLS", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        // What the server and the harness share without importing each other: the stats snapshot and
        // the /echo view, the monotonic clock, /proc readers, SHA-256 hex, durations as typed.
        .target(name: "CathammerContract", dependencies: ["COpenSSL"]),
        // The reference pre-fork server: master, workers, event loop, connections, applications.
        .target(
            name: "PreforkServer",
            dependencies: [
                "HTTPWire", "HTTP2Wire", "CLinuxShim", "CathammerContract", "CTLS",
                .product(name: "Logging", package: "swift-log"),
            ],
            // Release builds skip the run-time exclusivity checks, which were a third of a worker's
            // instructions per new connection (callgrind); debug builds, which run the tests, keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // libcurl, from Debian's libcurl4-openssl-dev, with typed wrappers for its variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The harness: raw-socket and libcurl clients, corpus, verdicts, reports.
        .target(
            name: "Hammer",
            dependencies: [
                "HTTPWire", "HTTP2Wire", "CCurl", "CathammerContract", "CTLS", .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Declares libFuzzer's LLVMFuzzerRunDriver for the in-process parser fuzzer.
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "cathammer",
            dependencies: [
                "HTTPWire", "PreforkServer", "Hammer", "CathammerContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Built with -sanitize=fuzzer -DFUZZING by `make fuzz`; a plain build replays seeds and findings.
        .executableTarget(name: "HTTPWireFuzz", dependencies: ["HTTPWire", "CFuzzerDriver"]),
        // Test-only: interposes malloc to count allocations on the parser's hot path.
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .testTarget(name: "HTTPWireTests", dependencies: ["HTTPWire", "CMallocCounter"]),
        .testTarget(name: "HTTP2WireTests", dependencies: ["HTTP2Wire", "HTTPWire", "CMallocCounter"]),
        .testTarget(name: "CLinuxShimTests", dependencies: ["CLinuxShim"]),
        .testTarget(name: "CathammerContractTests", dependencies: ["CathammerContract"]),
        // Test-only: small origins that differ from a strict server in one way, for the fuzzer's tests.
        .target(name: "FakeServers", dependencies: ["HTTPWire", "CTLS"], path: "Tests/FakeServers"),
        .testTarget(name: "HammerTests", dependencies: ["Hammer", "CathammerContract", "FakeServers"]),
        .testTarget(name: "PreforkServerTests", dependencies: ["PreforkServer", "HTTPWire", "HTTP2Wire", "CathammerContract", "CMallocCounter"]),
        .testTarget(name: "CathammerCLITests", dependencies: ["HTTPWire", "HTTP2Wire", "Hammer", "CathammerContract", "FakeServers", "CTLS"]),
    ]
)
