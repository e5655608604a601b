import Foundation

/// Certificates made by the test run with the `openssl` CLI (valid three days), once per test
/// process: a CA; a server certificate signed by it for localhost, 127.0.0.1 and ::1; one for
/// other.test (a wrong name for loopback); a self-signed one nobody trusts; and for the server's
/// own tests self-signed pairs whose common name a client reads back (ECDSA P-256 for localhost,
/// RSA 2048 for rsa.test, a second ECDSA one for second.test), a key that belongs to no
/// certificate, and a file that is not PEM.
public struct TestCertificates: Sendable {
    /// A certificate, its key, and the subject's common name.
    public struct Pair: Sendable {
        public var certificate: String
        public var key: String
        public var commonName: String
    }

    public var folder: String
    public var caCertificate: String
    public var serverCertificate: String
    public var serverKey: String
    public var otherNameCertificate: String
    public var otherNameKey: String
    public var selfSignedCertificate: String
    public var selfSignedKey: String
    /// CN localhost (subjectAltName localhost and 127.0.0.1), ECDSA P-256.
    public var ecdsa: Pair
    /// CN rsa.test, RSA 2048.
    public var rsa: Pair
    /// CN second.test, ECDSA P-256.
    public var second: Pair
    /// A key that matches none of the certificates.
    public var strayKey: String
    /// Not PEM at all.
    public var broken: String

    /// `cathammer serve` flags for one `--https` listener on an ephemeral port with `pair` (default
    /// `ecdsa`) as the default certificate.
    public func serveArguments(_ pair: Pair? = nil) -> [String] {
        let pair = pair ?? ecdsa
        return ["--https", "127.0.0.1:0", "--tls-cert", pair.certificate, "--tls-key", pair.key]
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private static let made: Result<TestCertificates, Failure> = Result { () throws(Failure) in try make() }

    /// The process's certificates; a failure to make them fails the test that asked.
    public static func shared() throws -> TestCertificates { try made.get() }

    private static func make() throws(Failure) -> TestCertificates {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-certs-\(getpid())").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(folder): \(error)")
        }
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509"] + key + ["-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "3",
                     "-subj", "/CN=cathammer test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        for (name, names) in [("server", "DNS:localhost,IP:127.0.0.1,IP:::1"), ("other", "DNS:other.test")] {
            try openssl(["req", "-new"] + key + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
            let extensions = "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            do {
                try Data(extensions.utf8).write(to: URL(fileURLWithPath: path("\(name).ext")))
            } catch {
                throw Failure(description: "cannot write \(path("\(name).ext")): \(error)")
            }
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                         "-CAcreateserial", "-out", path("\(name).pem"), "-days", "3", "-extfile", path("\(name).ext")])
        }
        try openssl(["req", "-x509"] + key + ["-keyout", path("self.key"), "-out", path("self.pem"), "-days", "3",
                     "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        func pair(_ name: String, commonName: String, key: [String]) throws(Failure) -> Pair {
            let made = Pair(certificate: path("\(name).pem"), key: path("\(name).key"), commonName: commonName)
            let names = "DNS:\(commonName)" + (commonName == "localhost" ? ",IP:127.0.0.1" : "")
            try openssl(["req", "-x509", "-newkey"] + key + ["-nodes", "-keyout", made.key, "-out", made.certificate, "-days", "3",
                         "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=\(names)"])
            return made
        }
        let ecdsa = try pair("ecdsa", commonName: "localhost", key: ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        let rsa = try pair("rsa", commonName: "rsa.test", key: ["rsa:2048"])
        let second = try pair("second", commonName: "second.test", key: ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("stray.key")])
        do {
            try Data("-----BEGIN CERTIFICATE-----\nthis is not base64 DER\n-----END CERTIFICATE-----\n".utf8)
                .write(to: URL(fileURLWithPath: path("broken.pem")))
        } catch {
            throw Failure(description: "cannot write \(path("broken.pem")): \(error)")
        }
        return TestCertificates(folder: folder, caCertificate: path("ca.pem"), serverCertificate: path("server.pem"),
                                serverKey: path("server.key"), otherNameCertificate: path("other.pem"), otherNameKey: path("other.key"),
                                selfSignedCertificate: path("self.pem"), selfSignedKey: path("self.key"), ecdsa: ecdsa, rsa: rsa,
                                second: second, strayKey: path("stray.key"), broken: path("broken.pem"))
    }

    private static func openssl(_ arguments: [String]) throws(Failure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run /usr/bin/openssl (make test installs it): \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}
