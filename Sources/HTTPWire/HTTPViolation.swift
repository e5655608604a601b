/// Why a request was refused. Raw values are stable reason codes: reports, corpus files and logs use them.
public enum ViolationReason: String, Sendable, CaseIterable, Codable {
    // Message syntax (RFC 9112 §2)
    case bareLF = "bare-lf"
    case bareCR = "bare-cr"
    case tooManyLeadingEmptyLines = "too-many-leading-empty-lines"
    case whitespaceBeforeFirstField = "whitespace-before-first-field"
    // Request line (RFC 9112 §3)
    case requestLineInvalid = "request-line-invalid"
    case requestLineWhitespace = "request-line-whitespace"
    case requestLineTooLong = "request-line-too-long"
    case methodInvalid = "method-invalid"
    case methodTooLong = "method-too-long"
    case targetInvalidCharacter = "target-invalid-character"
    case targetInvalid = "target-invalid"
    case targetUserinfo = "target-userinfo"
    case absoluteFormScheme = "absolute-form-scheme"
    case asteriskFormNotOptions = "asterisk-form-not-options"
    case authorityFormNotConnect = "authority-form-not-connect"
    case connectWithoutAuthorityForm = "connect-without-authority-form"
    case versionInvalid = "version-invalid"
    case versionUnsupported = "version-unsupported"
    // Host (RFC 9112 §3.2, RFC 9110 §7.2)
    case hostMissing = "host-missing"
    case hostDuplicate = "host-duplicate"
    case hostInvalid = "host-invalid"
    case hostEmpty = "host-empty"
    // Field syntax (RFC 9112 §5, RFC 9110 §5)
    case fieldNameEmpty = "field-name-empty"
    case fieldNameInvalid = "field-name-invalid"
    case whitespaceBeforeColon = "whitespace-before-colon"
    case fieldMissingColon = "field-missing-colon"
    case obsFold = "obs-fold"
    case fieldValueInvalid = "field-value-invalid"
    case fieldValueNUL = "field-value-nul"
    case fieldNameUnderscoreFraming = "field-name-underscore-framing"
    case fieldTooLarge = "field-too-large"
    case headerSectionTooLarge = "header-section-too-large"
    case tooManyFields = "too-many-fields"
    // Framing (RFC 9112 §6, RFC 9110 §8.6)
    case contentLengthInvalid = "content-length-invalid"
    case contentLengthConflict = "content-length-conflict"
    case contentLengthRepeated = "content-length-repeated"
    case contentLengthOverflow = "content-length-overflow"
    case transferEncodingWithContentLength = "te-with-content-length"
    case transferEncodingHTTP10 = "te-http10"
    case transferEncodingInvalid = "te-invalid"
    case transferEncodingNotFinalChunked = "te-not-final-chunked"
    case transferEncodingChunkedRepeated = "te-chunked-repeated"
    case transferEncodingChunkedParameters = "te-chunked-parameters"
    case transferEncodingUnknownCoding = "te-unknown-coding"
    case bodyTooLarge = "body-too-large"
    // Chunked coding (RFC 9112 §7)
    case chunkSizeInvalid = "chunk-size-invalid"
    case chunkSizeOverflow = "chunk-size-overflow"
    case chunkExtensionInvalid = "chunk-extension-invalid"
    case chunkExtensionsTooLarge = "chunk-extensions-too-large"
    case chunkDataMissingCRLF = "chunk-data-missing-crlf"
    case chunkLineBareLF = "chunk-line-bare-lf"
    case trailerFieldProhibited = "trailer-field-prohibited"
    case trailerSectionTooLarge = "trailer-section-too-large"
    // Connection management and expectations (RFC 9110 §7.6.1, §10.1.1)
    case connectionInvalid = "connection-invalid"
    case connectionNamesFramingField = "connection-names-framing-field"
    case expectationUnsupported = "expectation-unsupported"

    /// The status code a strict server answers with.
    public var status: Int {
        switch self {
        case .requestLineTooLong: return 414
        case .fieldTooLarge, .headerSectionTooLarge, .tooManyFields, .trailerSectionTooLarge: return 431
        case .bodyTooLarge: return 413
        case .versionUnsupported: return 505
        case .transferEncodingUnknownCoding, .methodTooLong: return 501
        case .expectationUnsupported: return 417
        default: return 400
        }
    }

    /// The rule that is enforced, as "RFC NNNN §x.y".
    public var rfcSection: String {
        switch self {
        case .bareLF, .bareCR, .whitespaceBeforeFirstField: return "RFC 9112 §2.2"
        case .tooManyLeadingEmptyLines: return "RFC 9112 §2.2"
        case .requestLineInvalid, .requestLineWhitespace, .requestLineTooLong: return "RFC 9112 §3"
        case .methodInvalid: return "RFC 9110 §9.1"
        case .methodTooLong: return "RFC 9112 §3"
        case .targetInvalidCharacter, .targetInvalid: return "RFC 9112 §3.2"
        case .targetUserinfo: return "RFC 9110 §4.2.4"
        case .absoluteFormScheme: return "RFC 9112 §3.2.2"
        case .asteriskFormNotOptions: return "RFC 9112 §3.2.4"
        case .authorityFormNotConnect, .connectWithoutAuthorityForm: return "RFC 9112 §3.2.3"
        case .versionInvalid: return "RFC 9112 §2.3"
        case .versionUnsupported: return "RFC 9110 §15.6.6"
        case .hostMissing, .hostDuplicate, .hostInvalid: return "RFC 9112 §3.2"
        case .hostEmpty: return "RFC 9110 §4.2.1"
        case .fieldNameEmpty, .fieldNameInvalid, .fieldNameUnderscoreFraming: return "RFC 9110 §5.1"
        case .whitespaceBeforeColon, .fieldMissingColon: return "RFC 9112 §5.1"
        case .obsFold: return "RFC 9112 §5.2"
        case .fieldValueInvalid, .fieldValueNUL: return "RFC 9110 §5.5"
        case .fieldTooLarge, .headerSectionTooLarge, .tooManyFields: return "RFC 9110 §5.4"
        case .contentLengthInvalid, .contentLengthConflict, .contentLengthRepeated: return "RFC 9112 §6.3"
        case .contentLengthOverflow: return "RFC 9110 §8.6"
        case .transferEncodingWithContentLength: return "RFC 9112 §6.3"
        case .transferEncodingHTTP10: return "RFC 9112 §6.1"
        case .transferEncodingInvalid, .transferEncodingChunkedRepeated, .transferEncodingUnknownCoding:
            return "RFC 9112 §6.1"
        case .transferEncodingNotFinalChunked: return "RFC 9112 §6.3"
        case .transferEncodingChunkedParameters: return "RFC 9112 §7.1"
        case .bodyTooLarge: return "RFC 9110 §15.5.14"
        case .chunkSizeInvalid, .chunkSizeOverflow, .chunkDataMissingCRLF, .chunkLineBareLF: return "RFC 9112 §7.1"
        case .chunkExtensionInvalid, .chunkExtensionsTooLarge: return "RFC 9112 §7.1.1"
        case .trailerFieldProhibited: return "RFC 9110 §6.5.1"
        case .trailerSectionTooLarge: return "RFC 9112 §7.1.2"
        case .connectionInvalid, .connectionNamesFramingField: return "RFC 9110 §7.6.1"
        case .expectationUnsupported: return "RFC 9110 §10.1.1"
        }
    }

    /// How the RFC words the rule: MUST, SHOULD, MAY (strict side taken), or POLICY (beyond the RFC,
    /// refused because front-ends are known to read it differently).
    public var level: String {
        switch self {
        case .bareLF, .requestLineWhitespace, .transferEncodingWithContentLength, .contentLengthRepeated,
             .expectationUnsupported, .fieldValueInvalid:
            // fieldValueInvalid: CTLs other than CR, LF and NUL MAY be kept (RFC 9110 §5.5); NUL is a MUST.
            return "MAY"
        case .tooManyLeadingEmptyLines, .transferEncodingUnknownCoding, .transferEncodingChunkedParameters,
             .requestLineInvalid, .targetUserinfo, .chunkExtensionsTooLarge, .methodTooLong:
            return "SHOULD"
        case .fieldNameUnderscoreFraming, .connectionNamesFramingField, .trailerFieldProhibited:
            return "POLICY"
        default:
            return "MUST"
        }
    }

    /// Every rejection closes the connection: once a request is refused its framing cannot be trusted,
    /// and reading on would let the rest of the bytes be taken for a new request (RFC 9112 §6.3, §9.6).
    public var closesConnection: Bool { true }
}

/// A refused request: the reason and the byte offset in the connection's stream where it was decided.
public struct HTTPViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: ViolationReason
    /// Offset from the start of the connection's byte stream (not of the current input).
    public var streamOffset: Int

    public init(_ reason: ViolationReason, at streamOffset: Int) {
        self.reason = reason
        self.streamOffset = streamOffset
    }

    public var status: Int { reason.status }
    public var rfcSection: String { reason.rfcSection }
    public var closesConnection: Bool { reason.closesConnection }

    public var description: String {
        "\(status) \(reason.rawValue) (\(rfcSection)) at byte \(streamOffset)"
    }
}
