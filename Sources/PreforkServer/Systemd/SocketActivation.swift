import CLinuxShim
@preconcurrency import Glibc

/// Socket activation (sd_listen_fds(3)): systemd opens the listeners (a .socket unit's
/// ListenStream=) and passes them from fd 3 on, with LISTEN_FDS (how many), LISTEN_PID (for whom:
/// a variable inherited by some other process is not ours) and LISTEN_FDNAMES (FileDescriptorName=,
/// colon-separated). The sockets outlive the service: connections made while it restarts wait in
/// their queue.
enum SocketActivation {
    static let firstDescriptor: Int32 = 3
    static let variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    struct PassedSocket: Equatable {
        var fd: Int32
        /// FileDescriptorName=, or "unknown" as sd_listen_fds_with_names says when there is none.
        var name: String
    }

    /// The passed descriptors, or nil when nothing was passed to this process.
    static func passed(listenPID: String?, listenFDs: String?, listenFDNames: String?,
                       ownPID: Int32) throws(ServerConfigurationError) -> [PassedSocket]? {
        guard let listenPID, let listenFDs else { return nil }
        guard let pid = Int32(listenPID), pid > 0 else {
            throw ServerConfigurationError("LISTEN_PID '\(listenPID)' is not a process id")
        }
        // Meant for another process (a parent's, inherited): ignored, as sd_listen_fds does.
        guard pid == ownPID else { return nil }
        guard let count = Int(listenFDs), count >= 0, count <= Int(Master.maxListeners) else {
            throw ServerConfigurationError("LISTEN_FDS '\(listenFDs)' is not a number of descriptors from 0 to \(Master.maxListeners)")
        }
        guard count > 0 else { return nil }
        let names = listenFDNames.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard names.isEmpty || names.count == count else {
            throw ServerConfigurationError("LISTEN_FDNAMES '\(listenFDNames ?? "")' names \(names.count) descriptors, LISTEN_FDS says \(count)")
        }
        return (0..<count).map { index in
            PassedSocket(fd: firstDescriptor + Int32(index), name: names.isEmpty || names[index].isEmpty ? "unknown" : names[index])
        }
    }

    /// Reads the variables and removes them, so that neither the workers nor a re-executed master
    /// (which gets its listeners from the handover) take them for theirs.
    static func passedFromEnvironment() throws(ServerConfigurationError) -> [PassedSocket]? {
        func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        let result = try passed(listenPID: value("LISTEN_PID"), listenFDs: value("LISTEN_FDS"),
                                listenFDNames: value("LISTEN_FDNAMES"), ownPID: getpid())
        for name in variables { unsetenv(name) }
        return result
    }

    /// A passed socket with the address it is bound to (nil: not a listening TCP socket).
    struct Candidate: Equatable {
        var socket: PassedSocket
        var endpoint: SocketEndpoint?
    }

    /// A passed socket given the place of a listener.
    struct Assignment: Equatable {
        var fd: Int32
        var scheme: RequestScheme
        /// The host as clients write it in a URL.
        var host: String
    }

    /// Pairs the passed sockets with the configured listeners by the address each is bound to
    /// (`resolve` turns a configured address into one; port 0 matches any port). With no
    /// `--http`/`--https` configured every passed socket is taken, as http, in the order passed.
    /// Every configured listener needs a socket and every socket a listener: anything else is a
    /// unit file and a command line that disagree, refused before anything starts.
    static func assign(_ candidates: [Candidate], configured: [ListenerConfig], configuredByDefault: Bool,
                       resolve: (ListenAddressValue) -> SocketEndpoint?) throws(ServerConfigurationError) -> [Assignment] {
        for candidate in candidates where candidate.endpoint == nil {
            throw ServerConfigurationError("systemd passed descriptor \(candidate.socket.fd) (\(candidate.socket.name)) that is not a "
                + "listening TCP socket; cathammer serve takes ListenStream= sockets only")
        }
        let passedText = candidates.map { "\($0.endpoint!) (fd \($0.socket.fd), \($0.socket.name))" }.joined(separator: ", ")
        if configuredByDefault {
            return candidates.map { Assignment(fd: $0.socket.fd, scheme: .http, host: $0.endpoint!.hostForURL) }
        }
        var unclaimed = candidates
        var assignments: [Assignment] = []
        for listener in configured {
            let flag = listener.scheme == .https ? "--https" : "--http"
            guard let wanted = resolve(listener.address) else {
                throw ServerConfigurationError("\(flag) '\(listener.address.text)': cannot resolve the address to match it with the passed sockets")
            }
            guard let index = unclaimed.firstIndex(where: { $0.endpoint!.matches(wanted) }) else {
                throw ServerConfigurationError("\(flag) '\(listener.address.text)': systemd passed no socket bound there (it passed "
                    + "\(passedText)); make the socket unit's ListenStream= and the --http/--https flags agree, or give no "
                    + "--http/--https to take every passed socket")
            }
            let candidate = unclaimed.remove(at: index)
            assignments.append(Assignment(fd: candidate.socket.fd, scheme: listener.scheme, host: listener.address.hostForURL))
        }
        if let extra = unclaimed.first {
            throw ServerConfigurationError("systemd passed a socket bound to \(extra.endpoint!) (fd \(extra.socket.fd), \(extra.socket.name)) "
                + "that no --http/--https names; add it to the flags or remove it from the socket unit")
        }
        return assignments
    }
}
