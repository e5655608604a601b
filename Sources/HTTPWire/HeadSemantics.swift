/// What the fields of a complete head mean for framing, routing and the connection, and the rules
/// that refuse a head whose meaning a front-end and a back-end could read differently.
extension RequestParser {
    /// Fills the derived parts of `head`; returns the first rule broken and the offset of its cause in `input`.
    mutating func interpretHead(_ input: UnsafeRawBufferPointer) -> (ViolationReason, Int)? {
        func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: input[range]) }
        // Offsets are relative to `input`; the caller adds the stream offset.
        func at(_ offset: Int) -> Int { offset }

        head.knownMethod = HTTPMethod.classify(slice(head.method))
        head.query = nil
        head.authority = nil
        head.expectsContinue = false
        head.upgradeRequested = false

        var host: FieldLine?
        var contentLength = ContentLengthReading()
        var transferEncoding: FieldLine?
        var closeRequested = false
        var keepAliveRequested = false
        for line in head.fields {
            switch line.known {
            case .other, .trailer:
                continue
            case .framingLookalike:
                return (.fieldNameUnderscoreFraming, at(line.lineStart))
            case .host:
                if host != nil { return (.hostDuplicate, at(line.lineStart)) }
                host = line
            case .contentLength:
                contentLength.read(line, in: input)
            case .transferEncoding:
                if transferEncoding == nil { transferEncoding = line }
            case .connection:
                for element in ListSyntax.elements(slice(line.value)) where !element.isEmpty {
                    let option = UnsafeRawBufferPointer(rebasing: slice(line.value)[element])
                    guard ListSyntax.isToken(option, 0..<option.count) else {
                        return (.connectionInvalid, at(line.value.lowerBound + element.lowerBound))
                    }
                    if ASCII.equalsLowercase(option, "close") {
                        closeRequested = true
                    } else if ASCII.equalsLowercase(option, "keep-alive") {
                        keepAliveRequested = true
                    } else if KnownField.classify(option).isFraming {
                        // A proxy would strip the named field as hop-by-hop; the origin would still frame by it.
                        return (.connectionNamesFramingField, at(line.value.lowerBound + element.lowerBound))
                    }
                }
            case .expect:
                for element in ListSyntax.elements(slice(line.value)) where !element.isEmpty {
                    let expectation = UnsafeRawBufferPointer(rebasing: slice(line.value)[element])
                    guard ASCII.equalsLowercase(expectation, "100-continue") else {
                        return (.expectationUnsupported, at(line.value.lowerBound + element.lowerBound))
                    }
                    head.expectsContinue = head.version == .http11
                }
            case .upgrade:
                head.upgradeRequested = head.version == .http11
            }
        }

        if let broken = interpretTarget(input, host: host) { return broken }
        if let broken = interpretFraming(input, contentLength: contentLength, transferEncoding: transferEncoding) {
            return broken
        }
        head.keepAlive = head.version == .http11 ? !closeRequested : keepAliveRequested && !closeRequested
        return nil
    }

    private mutating func interpretTarget(_ input: UnsafeRawBufferPointer, host: FieldLine?) -> (ViolationReason, Int)? {
        let targetOffset = head.target.lowerBound
        let target = UnsafeRawBufferPointer(rebasing: input[head.target])
        let base = head.target.lowerBound
        head.path = base..<base

        if let host {
            switch URISyntax.checkAuthority(UnsafeRawBufferPointer(rebasing: input[host.value]), portRequired: false) {
            case .valid: head.authority = host.value
            case .empty: break  // refused below unless the target carries the authority
            case .userinfo, .invalid: return (.hostInvalid, host.value.lowerBound)
            }
        } else if head.version == .http11 {
            return (.hostMissing, head.length - 2)
        }

        if target.count == 1 && target[0] == ASCII.asterisk {
            head.targetForm = .asterisk
            guard head.knownMethod == .options else { return (.asteriskFormNotOptions, targetOffset) }
        } else if head.knownMethod == .connect {
            head.targetForm = .authority
            switch URISyntax.checkAuthority(target, portRequired: true) {
            case .valid: head.authority = head.target
            case .userinfo: return (.targetUserinfo, targetOffset)
            case .empty, .invalid: return (.connectWithoutAuthorityForm, targetOffset)
            }
        } else if target[0] == ASCII.slash {
            head.targetForm = .origin
            let (valid, queryStart) = URISyntax.checkPathAndQuery(target, from: 0)
            guard valid else { return (.targetInvalid, targetOffset) }
            setPathAndQuery(base: base, pathStart: 0, queryStart: queryStart, end: target.count)
        } else if let (scheme, authorityStart) = URISyntax.schemeAndSlashes(target) {
            head.targetForm = .absolute
            let schemeBytes = UnsafeRawBufferPointer(rebasing: target[scheme])
            guard ASCII.equalsLowercase(schemeBytes, "http") || ASCII.equalsLowercase(schemeBytes, "https") else {
                return (.absoluteFormScheme, targetOffset)
            }
            var authorityEnd = authorityStart
            while authorityEnd < target.count && target[authorityEnd] != ASCII.slash
                && target[authorityEnd] != ASCII.questionMark
            {
                authorityEnd += 1
            }
            switch URISyntax.checkAuthority(UnsafeRawBufferPointer(rebasing: target[authorityStart..<authorityEnd]),
                                            portRequired: false) {
            case .valid: head.authority = (base + authorityStart)..<(base + authorityEnd)
            case .userinfo: return (.targetUserinfo, targetOffset)
            case .empty: return (.hostEmpty, targetOffset)
            case .invalid: return (.targetInvalid, targetOffset)
            }
            let (valid, queryStart) = URISyntax.checkPathAndQuery(target, from: authorityEnd)
            guard valid else { return (.targetInvalid, targetOffset) }
            setPathAndQuery(base: base, pathStart: authorityEnd, queryStart: queryStart, end: target.count)
        } else {
            let looksLikeAuthority = URISyntax.checkAuthority(target, portRequired: true) == .valid
            return (looksLikeAuthority ? .authorityFormNotConnect : .targetInvalid, targetOffset)
        }

        // An http(s) URI with an empty host is invalid (RFC 9110 §4.2.1); with an absolute-form or
        // authority-form target the Host value is ignored (RFC 9112 §3.2.2), so only then may it be empty.
        if let host, host.value.isEmpty, head.targetForm != .absolute, head.targetForm != .authority {
            return (.hostEmpty, host.lineStart)
        }
        return nil
    }

    private mutating func setPathAndQuery(base: Int, pathStart: Int, queryStart: Int?, end: Int) {
        let pathEnd = queryStart.map { $0 - 1 } ?? end
        head.path = (base + pathStart)..<(base + pathEnd)
        head.query = queryStart.map { (base + $0)..<(base + end) }
    }

    private mutating func interpretFraming(_ input: UnsafeRawBufferPointer, contentLength: ContentLengthReading,
                                           transferEncoding: FieldLine?) -> (ViolationReason, Int)? {
        head.framing = .none
        if let firstTE = transferEncoding {
            let offset = firstTE.lineStart
            if head.version == .http10 { return (.transferEncodingHTTP10, offset) }
            if let firstCL = contentLength.firstLine {
                return (.transferEncodingWithContentLength, max(firstCL.lineStart, firstTE.lineStart))
            }
            if let broken = checkTransferCodings(input) { return broken }
            head.framing = .chunked
            return nil
        }
        guard let firstCL = contentLength.firstLine else { return nil }
        if let broken = contentLength.broken { return broken }
        // Identical repeats MAY be collapsed (RFC 9110 §8.6); the strict side refuses them: a
        // front-end that reads only the first of two lines is how CL.CL desync starts.
        if contentLength.elements > 1 { return (.contentLengthRepeated, contentLength.repeatOffset) }
        let value = contentLength.value
        if value > limits.maxBody { return (.bodyTooLarge, firstCL.value.lowerBound) }
        head.framing = .contentLength(value)
        return nil
    }

    /// Transfer-Encoding in a request: only `chunked`, once, last, without parameters.
    private func checkTransferCodings(_ input: UnsafeRawBufferPointer) -> (ViolationReason, Int)? {
        var last: (isChunked: Bool, hasParameters: Bool, offset: Int)?
        var chunkedCount = 0
        var firstChunkedOffset = 0
        var firstUnknownOffset: Int?
        var firstLineOffset: Int?
        for line in head.fields where line.known == .transferEncoding {
            if firstLineOffset == nil { firstLineOffset = line.lineStart }
            let value = UnsafeRawBufferPointer(rebasing: input[line.value])
            // Empty list elements are ignored, as RFC 9110 §5.6.1.2 requires of every recipient.
            for element in ListSyntax.elements(value) where !element.isEmpty {
                let offset = line.value.lowerBound + element.lowerBound
                guard let (name, hasParameters) = ListSyntax.transferCoding(value, element) else {
                    return (.transferEncodingInvalid, offset)
                }
                let isChunked = ASCII.equalsLowercase(UnsafeRawBufferPointer(rebasing: value[name]), "chunked")
                if isChunked {
                    if chunkedCount == 0 { firstChunkedOffset = offset }
                    chunkedCount += 1
                } else if firstUnknownOffset == nil {
                    firstUnknownOffset = offset
                }
                last = (isChunked, hasParameters, offset)
            }
        }
        guard let last else { return (.transferEncodingInvalid, firstLineOffset ?? 0) }
        if !last.isChunked { return (.transferEncodingNotFinalChunked, last.offset) }
        if chunkedCount > 1 { return (.transferEncodingChunkedRepeated, firstChunkedOffset) }
        if last.hasParameters { return (.transferEncodingChunkedParameters, last.offset) }
        if let firstUnknownOffset { return (.transferEncodingUnknownCoding, firstUnknownOffset) }
        return nil
    }
}

/// Content-Length lines read as they come: the value, how many elements, and the first flaw.
struct ContentLengthReading {
    var firstLine: FieldLine?
    var value = 0
    var elements = 0
    var repeatOffset = 0
    var broken: (ViolationReason, Int)?

    /// `Content-Length = 1*DIGIT` (RFC 9110 §8.6); a list of them is read to tell a conflict from a repeat.
    mutating func read(_ line: FieldLine, in input: UnsafeRawBufferPointer) {
        if firstLine == nil { firstLine = line }
        let value = UnsafeRawBufferPointer(rebasing: input[line.value])
        for element in ListSyntax.elements(value) {
            let offset = line.value.lowerBound + element.lowerBound
            elements += 1
            if elements > 1 && repeatOffset == 0 { repeatOffset = offset }
            guard broken == nil else { continue }
            guard !element.isEmpty, element.allSatisfy({ value[$0] >= 0x30 && value[$0] <= 0x39 }) else {
                broken = (.contentLengthInvalid, offset)
                continue
            }
            var parsed = 0
            for index in element {
                let (times10, overflow1) = parsed.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(value[index] - 0x30))
                if overflow1 || overflow2 {
                    broken = (.contentLengthOverflow, offset)
                    break
                }
                parsed = sum
            }
            guard broken == nil else { continue }
            if elements > 1 && parsed != self.value {
                broken = (.contentLengthConflict, offset)
            }
            self.value = parsed
        }
    }
}

extension KnownField {
    var isFraming: Bool { self == .contentLength || self == .transferEncoding || self == .host }
}
