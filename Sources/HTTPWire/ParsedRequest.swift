/// A request copied out of the wire buffer: for the harness, the oracle and tools, not the hot path.
public struct ParsedRequest: Sendable, Equatable {
    public var method: [UInt8]
    public var knownMethod: HTTPMethod
    public var target: [UInt8]
    public var targetForm: TargetForm
    public var path: [UInt8]
    public var query: [UInt8]?
    public var authority: [UInt8]?
    public var version: HTTPVersion
    public var fields: [HeaderField]
    public var framing: BodyFraming
    public var keepAlive: Bool
    public var expectsContinue: Bool
    public var upgradeRequested: Bool
    public var body: [UInt8]
    public var trailers: [HeaderField]
    /// Where the message sits in the connection's byte stream, head and body.
    public var streamRange: Range<Int>
    public var headLength: Int

    public init(head: RequestHead, in input: UnsafeRawBufferPointer, streamOffset: Int) {
        func copy(_ range: Range<Int>) -> [UInt8] { Array(input[range]) }
        method = copy(head.method)
        knownMethod = head.knownMethod
        target = copy(head.target)
        targetForm = head.targetForm
        path = copy(head.path)
        query = head.query.map(copy)
        authority = head.authority.map(copy)
        version = head.version
        fields = head.fields.map { HeaderField(name: copy($0.name), value: copy($0.value)) }
        framing = head.framing
        keepAlive = head.keepAlive
        expectsContinue = head.expectsContinue
        upgradeRequested = head.upgradeRequested
        body = []
        trailers = []
        streamRange = streamOffset..<(streamOffset + head.length)
        headLength = head.length
    }
}
