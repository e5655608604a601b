import Foundation

/// Certificates made by the test run with the `openssl` CLI (ECDSA P-256, valid three days): a CA;
/// a server certificate signed by it for localhost, 127.0.0.1 and ::1; one for other.test (a
/// wrong name for loopback); and a self-signed one nobody trusts. Made once per test process.
public struct TestCertificates: Sendable {
    public var folder: String
    public var caCertificate: String
    public var serverCertificate: String
    public var serverKey: String
    public var otherNameCertificate: String
    public var otherNameKey: String
    public var selfSignedCertificate: String
    public var selfSignedKey: String

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
        return TestCertificates(folder: folder, caCertificate: path("ca.pem"), serverCertificate: path("server.pem"),
                                serverKey: path("server.key"), otherNameCertificate: path("other.pem"), otherNameKey: path("other.key"),
                                selfSignedCertificate: path("self.pem"), selfSignedKey: path("self.key"))
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
