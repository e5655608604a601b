import Foundation
import XCTest

/// Certificates the test run makes with the openssl CLI, once per test process, in a temporary
/// folder: ECDSA P-256 and RSA 2048, a second certificate for SNI and for reload tests, a key that
/// matches neither, and a file that is not PEM.
struct TLSCertificates: Sendable {
    struct Pair: Sendable {
        var certificate: String
        var key: String
        /// The subject's common name, which the tests read back from the peer certificate.
        var commonName: String
    }

    let directory: String
    /// CN localhost (subjectAltName localhost and 127.0.0.1).
    let ecdsa: Pair
    /// CN rsa.test.
    let rsa: Pair
    /// CN second.test, ECDSA.
    let second: Pair
    /// A key that belongs to no certificate here.
    let strayKey: String
    /// Not PEM at all.
    let broken: String

    static let shared: Result<TLSCertificates, Error> = Result { try TLSCertificates() }

    /// The shared set; a failure to make them fails the test that needs them.
    static func make() throws -> TLSCertificates { try shared.get() }

    private init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-tls-\(getpid())").path
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func make(_ name: String, commonName: String, key: [String]) throws -> Pair {
            let pair = Pair(certificate: "\(directory)/\(name).pem", key: "\(directory)/\(name).key", commonName: commonName)
            let result = try CathammerBinary.runTool("/usr/bin/openssl", [
                "req", "-x509", "-newkey"] + key + ["-nodes", "-keyout", pair.key, "-out", pair.certificate, "-days", "2",
                "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=DNS:\(commonName)" + (commonName == "localhost" ? ",IP:127.0.0.1" : ""),
            ], capture: true)
            guard result.status == 0 else { throw TLSFixtureError(description: "openssl req for \(name): \(result.output)") }
            return pair
        }
        ecdsa = try make("ecdsa", commonName: "localhost", key: ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        rsa = try make("rsa", commonName: "rsa.test", key: ["rsa:2048"])
        second = try make("second", commonName: "second.test", key: ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        let strayKey = "\(directory)/stray.key"
        self.strayKey = strayKey
        let stray = try CathammerBinary.runTool("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt",
                                                                     "ec_paramgen_curve:P-256", "-out", strayKey], capture: true)
        guard stray.status == 0 else { throw TLSFixtureError(description: "openssl genpkey: \(stray.output)") }
        let broken = "\(directory)/broken.pem"
        self.broken = broken
        try Data("-----BEGIN CERTIFICATE-----\nthis is not base64 DER\n-----END CERTIFICATE-----\n".utf8)
            .write(to: URL(fileURLWithPath: broken))
    }

    /// `serve` flags for one --https listener on an ephemeral port with `pair` as the default certificate.
    func serveArguments(_ pair: Pair? = nil) -> [String] {
        let pair = pair ?? ecdsa
        return ["--https", "127.0.0.1:0", "--tls-cert", pair.certificate, "--tls-key", pair.key]
    }
}

struct TLSFixtureError: Error, CustomStringConvertible {
    var description: String
}
