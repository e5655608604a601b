// swift-tools-version:6.0
// The zero-allocation checks of `make test`: the HTTP/1.1 parser, HTTP/2 frames and HPACK with a warm
// table, and a worker's keep-alive GET. Unoptimized code boxes generics and closures, so allocation
// counts mean something only in release builds. A package of its own so that `make test` builds in
// release only the modules these checks measure, not the whole tree and its tests (that second build
// was most of the time `make test` took).
import PackageDescription

let package = Package(
    name: "AllocationChecks",
    dependencies: [
        .package(name: "cathammer", path: "../.."),
    ],
    targets: [
        // Interposes malloc to count the heap allocations of watched threads.
        .target(name: "CMallocCounter"),
        .testTarget(
            name: "AllocationTests",
            dependencies: [
                "CMallocCounter",
                .product(name: "HTTPWire", package: "cathammer"),
                .product(name: "HTTP2Wire", package: "cathammer"),
                .product(name: "PreforkServer", package: "cathammer"),
            ]
        ),
    ]
)
