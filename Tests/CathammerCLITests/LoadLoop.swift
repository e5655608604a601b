import Foundation
import Glibc
import HTTPWire
import Synchronization

/// Client threads that keep requests flowing and put every request in exactly one outcome class,
/// as the reload notes define them: ok, refused, EOF/reset before the response on a fresh or on a
/// reused connection, truncated, 5xx.
final class LoadLoop: @unchecked Sendable {
    enum Outcome: String, CaseIterable {
        case ok, refused, eofFresh = "eof_fresh", eofReused = "eof_reused", truncated, serverError = "5xx", timeout
    }

    private let port: UInt16
    private let stopFlag = Atomic<Bool>(false)
    private let counts = Mutex<[Outcome: Int]>([:])
    private let generations = Mutex<Set<String>>([])
    private var threads: [Thread] = []
    private let done = DispatchGroup()

    init(port: UInt16) { self.port = port }

    /// `clients` threads; every third request of a thread goes on a fresh connection, the others
    /// reuse a keep-alive connection.
    func start(clients: Int) {
        for index in 0..<clients {
            done.enter()
            let thread = Thread { [self] in
                self.run(client: index)
                self.done.leave()
            }
            threads.append(thread)
            thread.start()
        }
    }

    /// Stops the threads (each finishes its request in flight) and returns the counts.
    func stop() -> [Outcome: Int] {
        stopFlag.store(true, ordering: .relaxed)
        _ = done.wait(timeout: .now() + 60)
        return counts.withLock { $0 }
    }

    /// How many requests so far ended in `outcome`, while the loop runs.
    func count(_ outcome: Outcome) -> Int { counts.withLock { $0[outcome, default: 0] } }

    /// Distinct `X-Worker` values seen.
    var workersSeen: Set<String> { generations.withLock { $0 } }

    private func record(_ outcome: Outcome) { counts.withLock { $0[outcome, default: 0] += 1 } }

    private func run(client: Int) {
        var connection: Int32 = -1
        var sequence = 0
        while !stopFlag.load(ordering: .relaxed) {
            sequence += 1
            let fresh = sequence % 3 == 0 || connection < 0
            if fresh {
                if connection >= 0 { close(connection) }
                connection = connect()
                guard connection >= 0 else {
                    record(.refused)
                    usleep(1000)
                    continue
                }
            }
            let path = sequence % 5 == 0 ? "/sleep?ms=20" : "/cats/\(1 + sequence % 9)"
            let request = Array("GET \(path) HTTP/1.1\r\nHost: a\r\nX-Request: \(client)-\(sequence)\r\n\r\n".utf8)
            let (outcome, keep) = exchange(connection, request, fresh: fresh)
            record(outcome)
            if !keep {
                close(connection)
                connection = -1
            }
        }
        if connection >= 0 { close(connection) }
    }

    private func connect() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    /// One request and its response; returns the outcome and whether the connection stays usable.
    private func exchange(_ fd: Int32, _ request: [UInt8], fresh: Bool) -> (Outcome, Bool) {
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return (fresh ? .eofFresh : .eofReused, false) }
        var parser = ResponseStreamParser(requestMethods: ["GET"])
        var buffer = [UInt8](repeating: 0, count: 8192)
        var received = 0
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            guard poll(&waiter, 1, 10_000) > 0 else { return (.timeout, false) }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 {
                parser.finish()
                if let response = parser.responses.first(where: { !$0.isInterim }) {
                    return (response.complete ? classify(response) : .truncated, false)
                }
                return (received == 0 ? (fresh ? .eofFresh : .eofReused) : .truncated, false)
            }
            received += count
            parser.feed(buffer[0..<count])
            if let response = parser.responses.first(where: { !$0.isInterim }), response.complete {
                if let worker = response.header(named: "X-Worker") { _ = generations.withLock { $0.insert(worker) } }
                return (classify(response), !response.connectionClose)
            }
        }
    }

    private func classify(_ response: ResponseMessage) -> Outcome {
        response.status >= 500 ? .serverError : (response.status == 200 ? .ok : .truncated)
    }
}
