import CTLS

/// The session-ticket keys (RFC 5077, RFC 8446 §4.6.1), newest first: the newest encrypts new
/// tickets, every key decrypts. The master owns the ring and rotates it; workers only read it (see
/// `TicketKeyStore`), so a ticket minted by one worker resumes on any other and after a reload.
struct TicketKeyRing: Equatable {
    /// 16-byte name, 32-byte AES-256 key, 32-byte HMAC-SHA256 key (ctls.h).
    static let keyLength = Int(CTLS_TICKET_KEY_LENGTH)
    /// The current key and the two before it.
    static let capacity = 3
    /// A key minted with until a rotation is kept for this many rotations after it: the ticket
    /// lifetime announced to clients.
    static let retainedRotations = Double(capacity - 1)

    private(set) var keys: [[UInt8]]

    init(keys: [[UInt8]]) {
        precondition(!keys.isEmpty && keys.count <= Self.capacity && keys.allSatisfy { $0.count == Self.keyLength },
                     "a ticket key ring holds 1...\(Self.capacity) keys of \(Self.keyLength) bytes")
        self.keys = keys
    }

    /// A new ring with one fresh key.
    static func fresh() throws(ServerConfigurationError) -> TicketKeyRing { TicketKeyRing(keys: [try freshKey()]) }

    /// `key` becomes the one that encrypts; the oldest beyond the capacity is forgotten.
    mutating func rotate(to key: [UInt8]) {
        precondition(key.count == Self.keyLength)
        keys = Array(([key] + keys).prefix(Self.capacity))
    }

    /// The keys back to back, as `ctls_set_ticket_keys` takes them.
    var concatenated: [UInt8] { keys.flatMap { $0 } }

    static func freshKey() throws(ServerConfigurationError) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyLength)
        guard ctls_random_bytes(&key, keyLength) == 1 else {
            throw ServerConfigurationError("OpenSSL could not produce random bytes for a session-ticket key")
        }
        return key
    }

    /// When the key published at `rotatedAt` is due for replacement; a re-executed master resumes
    /// the schedule its predecessor started.
    static func nextRotation(rotatedAt: UInt64, interval: UInt64, now: UInt64) -> UInt64 {
        max(now, rotatedAt &+ interval)
    }
}
