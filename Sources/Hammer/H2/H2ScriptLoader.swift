import CathammerContract
import HTTP2Wire
import HTTPWire
import Yams

/// Reads the HTTP/2 part of a corpus file (schema: corpus/README.md, "HTTP/2 cases"). Every problem
/// is a message naming the step and key, which `corpus lint` prints with the file.
enum H2ScriptLoader {
    struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func load(_ mapping: Node.Mapping) throws(Problem) -> (script: H2Script, texts: [String]) {
        var script = H2Script(steps: [])
        if let opening = mapping["opening"] {
            guard let text = opening.string, let value = H2Script.Opening(rawValue: text) else {
                throw Problem("'opening' is standard or none")
            }
            script.opening = value
        }
        if let settings = mapping["client_settings"] {
            guard script.opening == .standard else { throw Problem("'client_settings' needs the standard opening") }
            script.clientSettings = try Self.settings(settings, at: "client_settings").map(\.setting)
        }
        guard let stepNodes = mapping["steps"]?.sequence, !stepNodes.isEmpty else { throw Problem("'steps' must be a non-empty list") }
        var texts: [String] = []
        for (index, node) in stepNodes.enumerated() {
            let at = "step \(index + 1)"
            guard let step = node.mapping, let key = step.keys.first?.string else { throw Problem("\(at) must be a mapping") }
            let extra = Set(step.keys.compactMap(\.string)).subtracting([key])
            func refuseExtra(_ allowed: Set<String> = []) throws(Problem) {
                if let unknown = extra.subtracting(allowed).sorted().first { throw Problem("\(at): unknown key '\(unknown)' beside '\(key)'") }
            }
            let value = step[key]!
            switch key {
            case "frame", "frames":
                try refuseExtra(["repeat", "stream_step", "bytewise"])
                let nodes = key == "frame" ? [value] : Array(value.sequence ?? [])
                guard !nodes.isEmpty else { throw Problem("\(at): 'frames' must be a non-empty list") }
                var parts: [H2Write.Part] = []
                for (position, frameNode) in nodes.enumerated() {
                    parts.append(try part(frameNode, at: nodes.count > 1 ? "\(at) frame \(position + 1)" : at))
                }
                var write = H2Write(parts: parts)
                if let count = step["repeat"] {
                    guard let value = count.int, (1...100_000).contains(value) else { throw Problem("\(at): 'repeat' takes 1 to 100000") }
                    write.repeatCount = value
                }
                if let increment = step["stream_step"] {
                    guard let value = increment.int, (0...1000).contains(value) else { throw Problem("\(at): 'stream_step' takes 0 to 1000") }
                    write.streamStep = UInt32(value)
                }
                write.bytewise = step["bytewise"]?.bool ?? false
                script.steps.append(.write(write))
                texts.append("\(key): " + parts.map(Self.describe).joined(separator: "; ")
                             + (write.repeatCount > 1 ? " ×\(write.repeatCount)" : ""))
            case "send", "send_bytewise":
                try refuseExtra()
                let bytes = try Self.bytes(value, at: "\(at) \(key)")
                script.steps.append(.write(H2Write(parts: [.raw(bytes)], bytewise: key == "send_bytewise")))
                texts.append("\(key): " + (value.string ?? ""))
            case "pause":
                try refuseExtra()
                guard let text = value.string, let pause = try? DurationText(text), pause.milliseconds <= 4000 else {
                    throw Problem("\(at): pause must be like 200ms or 1s, at most 4s")
                }
                script.steps.append(.pause(milliseconds: Int(pause.milliseconds)))
                texts.append("pause: \(text)")
            case "wait":
                try refuseExtra()
                guard let text = value.string, let condition = H2WaitCondition(text) else {
                    throw Problem("\(at): wait takes SETTINGS, SETTINGS_ACK, PING_ACK, 'HEADERS N' or 'END_STREAM N'")
                }
                script.steps.append(.wait(condition))
                texts.append("wait: \(condition)")
            case "half_close":
                try refuseExtra()
                guard value.bool == true else { throw Problem("\(at): half_close takes true") }
                script.steps.append(.halfClose)
                texts.append("half_close")
            default:
                throw Problem("\(at): unknown step '\(key)'")
            }
        }
        return (script, texts)
    }

    static func describe(_ part: H2Write.Part) -> String {
        switch part {
        case .frame(let frame): return frame.summary(context: H2EncodingContext(authority: "{host}"))
        case .raw(let bytes): return "raw " + ByteEscapes.encode(bytes)
        }
    }

    /// A frame mapping, or `{raw: 'escaped bytes'}` / `{hex: '…'}` inside a `frames` list.
    static func part(_ node: Node, at: String) throws(Problem) -> H2Write.Part {
        guard let map = node.mapping else { throw Problem("\(at): a frame is a mapping") }
        if let raw = map["raw"] {
            guard map.count == 1 else { throw Problem("\(at): 'raw' stands alone") }
            return .raw(try bytes(raw, at: "\(at) raw"))
        }
        if let hex = map["hex"] {
            guard map.count == 1 else { throw Problem("\(at): 'hex' stands alone") }
            return .raw(try Self.hex(hex, at: "\(at) hex"))
        }
        return .frame(try frame(map, at: at))
    }

    static let frameKeys: Set<String> = [
        "type", "flags", "stream", "reserved", "length", "payload", "padding", "pad_length", "priority", "data", "data_length",
        "request", "fields", "hpack", "block", "promised", "error", "settings", "opaque", "last_stream", "debug", "increment",
    ]

    static func frame(_ map: Node.Mapping, at: String) throws(Problem) -> H2FrameSpec {
        for key in map.keys.compactMap(\.string) where !frameKeys.contains(key) { throw Problem("\(at): unknown frame key '\(key)'") }
        guard let typeText = map["type"]?.string else { throw Problem("\(at): 'type' is missing") }
        guard let type = frameType(typeText) else { throw Problem("\(at): unknown frame type '\(typeText)'") }
        let known = HTTP2FrameType(rawValue: type)
        let connectionLevel: Set<HTTP2FrameType> = [.settings, .ping, .goAway]
        var stream: UInt32 = 0
        if let node = map["stream"] {
            guard let value = node.int, value >= 0, value <= 0x7FFF_FFFF else { throw Problem("\(at): 'stream' is 0 to 2^31-1") }
            stream = UInt32(value)
        } else if known.isKnown && !connectionLevel.contains(known) {
            throw Problem("\(at): \(known) needs 'stream'")
        }
        var spec = H2FrameSpec(type: type, streamID: stream)
        if let node = map["flags"] { spec.flags = try flags(node, type: type, at: at) }
        spec.reserved = map["reserved"]?.bool ?? false
        if let node = map["length"] { spec.length = try size(node, at: "\(at) length") }
        if let node = map["payload"] { spec.payload = try hex(node, at: "\(at) payload") }
        if let node = map["padding"] {
            guard let value = node.int, (0...255).contains(value) else { throw Problem("\(at): 'padding' is 0 to 255") }
            spec.padding = value
        }
        if let node = map["pad_length"] {
            guard spec.padding != nil, let value = node.int, (0...255).contains(value) else {
                throw Problem("\(at): 'pad_length' (0 to 255) goes with 'padding'")
            }
            spec.padLengthOverride = value
        }
        if let node = map["priority"] { spec.priority = try priority(node, at: at) }

        func allowed(_ keys: Set<String>) throws(Problem) {
            let typeKeys: Set<String> = ["data", "data_length", "request", "fields", "hpack", "block", "promised", "error", "settings",
                                         "opaque", "last_stream", "debug", "increment", "priority", "padding", "pad_length"]
            for key in map.keys.compactMap(\.string) where typeKeys.contains(key) && !keys.contains(key) {
                throw Problem("\(at): '\(key)' does not belong to \(known)")
            }
        }
        let blockKeys: Set<String> = ["request", "fields", "hpack", "block"]
        switch known {
        case .data:
            try allowed(["data", "data_length", "padding", "pad_length"])
            spec.body = .data(try map["data"].map { node throws(Problem) in try bytes(node, at: "\(at) data") } ?? [],
                              fill: try map["data_length"].map { node throws(Problem) in try size(node, at: "\(at) data_length") })
        case .headers:
            try allowed(blockKeys.union(["padding", "pad_length", "priority"]))
            spec.body = .headerBlock(try block(map, at: at))
        case .continuation:
            try allowed(blockKeys)
            spec.body = .headerBlock(try block(map, at: at))
        case .pushPromise:
            try allowed(blockKeys.union(["promised", "padding", "pad_length"]))
            guard let promised = map["promised"]?.int ?? (spec.payload == nil ? nil : 0), promised >= 0 else {
                throw Problem("\(at): PUSH_PROMISE needs 'promised'")
            }
            spec.body = .pushPromise(promised: UInt32(promised), block: try block(map, at: at))
        case .priority:
            try allowed(["priority"])
            guard let fields = spec.priority ?? (spec.payload == nil ? nil : HTTP2Priority(dependency: 0)) else {
                throw Problem("\(at): PRIORITY needs 'priority'")
            }
            spec.body = .priority(fields)
            spec.priority = nil
        case .rstStream:
            try allowed(["error"])
            spec.body = .rstStream(errorCode: try errorCode(map["error"], at: at))
        case .settings:
            try allowed(["settings"])
            spec.body = .settings(try map["settings"].map { node throws(Problem) in try settings(node, at: "\(at) settings") } ?? [])
        case .ping:
            try allowed(["opaque"])
            var opaque = Array("cathammr".utf8)
            if let node = map["opaque"] { opaque = try hex(node, at: "\(at) opaque") }
            spec.body = .ping(opaque: opaque)
        case .goAway:
            try allowed(["last_stream", "error", "debug"])
            let last = map["last_stream"]?.int ?? 0
            spec.body = .goAway(lastStreamID: UInt32(clamping: last), errorCode: try errorCode(map["error"], at: at),
                                debug: try map["debug"].map { node throws(Problem) in try bytes(node, at: "\(at) debug") } ?? [])
        case .windowUpdate:
            try allowed(["increment"])
            guard let node = map["increment"] else {
                guard spec.payload != nil else { throw Problem("\(at): WINDOW_UPDATE needs 'increment' (or 'payload')") }
                break
            }
            spec.body = .windowUpdate(increment: try size(node, at: "\(at) increment"))
        default:
            try allowed([])
        }
        if spec.payload != nil && spec.body != .empty && map.keys.contains(where: { blockKeys.contains($0.string ?? "") }) {
            throw Problem("\(at): 'payload' replaces the frame's fields; give one or the other")
        }
        return spec
    }

    static func frameType(_ text: String) -> UInt8? {
        for raw in UInt8(0)...9 where HTTP2FrameType(rawValue: raw).description == text { return raw }
        if let value = H2Size.hex(text) ?? Int(text), (0...255).contains(value) { return UInt8(value) }
        return nil
    }

    static let flagBits: [String: UInt8] = ["END_STREAM": 0x1, "ACK": 0x1, "END_HEADERS": 0x4, "PADDED": 0x8, "PRIORITY": 0x20]

    static func flags(_ node: Node, type: UInt8, at: String) throws(Problem) -> UInt8 {
        if let text = node.string, let value = H2Size.hex(text) ?? Int(text), (0...255).contains(value) { return UInt8(value) }
        guard let items = node.sequence else { throw Problem("\(at): 'flags' is a list of names or a number") }
        var bits: UInt8 = 0
        for item in items {
            guard let name = item.string, let bit = flagBits[name] else {
                throw Problem("\(at): unknown flag '\(item.string ?? "?")' (END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY)")
            }
            bits |= bit
        }
        return bits
    }

    static func priority(_ node: Node, at: String) throws(Problem) -> HTTP2Priority {
        guard let map = node.mapping, let dependency = map["depends_on"]?.int, dependency >= 0 else {
            throw Problem("\(at): 'priority' is {depends_on: N, weight: 1-256, exclusive: false}")
        }
        let weight = map["weight"]?.int ?? 16
        guard (1...256).contains(weight) else { throw Problem("\(at): priority weight is 1 to 256") }
        return HTTP2Priority(exclusive: map["exclusive"]?.bool ?? false, dependency: UInt32(clamping: dependency), weight: UInt8(weight - 1))
    }

    static func errorCode(_ node: Node?, at: String) throws(Problem) -> UInt32 {
        guard let text = node?.string else { return 0 }
        if let code = HTTP2ErrorCode(name: text) { return code.rawValue }
        if let value = H2Size.hex(text) ?? Int(text), value >= 0, value <= Int(UInt32.max) { return UInt32(value) }
        throw Problem("\(at): unknown error code '\(text)'")
    }

    static func settings(_ node: Node, at: String) throws(Problem) -> [H2SettingSpec] {
        guard let items = node.sequence else { throw Problem("\(at): a list of [NAME, value] pairs") }
        var out: [H2SettingSpec] = []
        for item in items {
            guard let pair = item.sequence, pair.count == 2, let name = pair[0].string, let valueText = pair[1].string,
                  let value = H2Size.hex(valueText) ?? Int(valueText), value >= 0, value <= Int(UInt32.max)
            else { throw Problem("\(at): each setting is [NAME, value]") }
            var identifier: UInt16?
            for raw in UInt16(1)...9 where HTTP2SettingsParameter(rawValue: raw).description == "SETTINGS_" + name { identifier = raw }
            if identifier == nil, let number = H2Size.hex(name) ?? Int(name), (0...0xFFFF).contains(number) { identifier = UInt16(number) }
            guard let identifier else { throw Problem("\(at): unknown setting '\(name)'") }
            out.append(H2SettingSpec(identifier, UInt32(value)))
        }
        return out
    }

    static func size(_ node: Node, at: String) throws(Problem) -> H2Size {
        guard let text = node.string, let size = H2Size(text) else {
            throw Problem("\(at): a number, or max_frame_size / initial_window_size with +N or -N")
        }
        return size
    }

    /// Bytes with the corpus escapes, from a single-quoted (or plain) string.
    static func bytes(_ node: Node, at: String) throws(Problem) -> [UInt8] {
        guard let scalar = node.scalar else { throw Problem("\(at): a string") }
        if scalar.style == .doubleQuoted {
            throw Problem("\(at): write bytes in single quotes; YAML's double-quoted escapes turn \\xNN above 0x7F into two bytes")
        }
        do {
            return try ByteEscapes.decode(scalar.string)
        } catch {
            throw Problem("\(at): \(error)")
        }
    }

    static func hex(_ node: Node, at: String) throws(Problem) -> [UInt8] {
        guard let text = node.string, let bytes = H2Hex.decode(text) else { throw Problem("\(at): hex digits in pairs") }
        return bytes
    }

    /// `request: 'GET /'` and `fields:`, or `hpack:`, or `block:`.
    static func block(_ map: Node.Mapping, at: String) throws(Problem) -> H2HeaderBlockSpec {
        if let node = map["hpack"] {
            guard map["fields"] == nil, map["request"] == nil, map["block"] == nil else {
                throw Problem("\(at): 'hpack' replaces 'request', 'fields' and 'block'")
            }
            return .hpack(try hex(node, at: "\(at) hpack"))
        }
        if let node = map["block"] {
            guard map["fields"] == nil, map["request"] == nil else { throw Problem("\(at): 'block' replaces 'request' and 'fields'") }
            guard let items = node.sequence else { throw Problem("\(at): 'block' is a list of operations") }
            var operations: [H2BlockOperation] = []
            for item in items { operations.append(try operation(item, at: "\(at) block")) }
            return .operations(operations)
        }
        var fields: [H2Field] = []
        if let node = map["request"] {
            let words = (node.string ?? "").split(separator: " ").map(String.init)
            guard words.count == 2 else { throw Problem("\(at): 'request' is 'METHOD PATH'") }
            fields = H2Field.request(method: words[0], path: words[1])
        }
        if let node = map["fields"] {
            guard let items = node.sequence else { throw Problem("\(at): 'fields' is a list") }
            for item in items { fields.append(try field(item, at: "\(at) fields")) }
        }
        return .fields(fields)
    }

    /// `'name: value'` (a pseudo-header's name runs to its second colon) or `['name', 'value']`.
    static func field(_ node: Node, at: String) throws(Problem) -> H2Field {
        if let pair = node.sequence {
            guard pair.count == 2 else { throw Problem("\(at): a field is 'name: value' or [name, value]") }
            return H2Field(name: try bytes(pair[0], at: at), value: try bytes(pair[1], at: at))
        }
        let all = try bytes(node, at: at)
        let searchFrom = all.first == ASCII.colon ? 1 : 0
        guard let colon = all[searchFrom...].firstIndex(of: ASCII.colon), colon + 1 < all.count || colon + 1 == all.count else {
            throw Problem("\(at): '\(ByteEscapes.encode(all))' has no ': ' (write [name, value] for names with a colon)")
        }
        var valueStart = colon + 1
        if valueStart < all.count && all[valueStart] == ASCII.space { valueStart += 1 }
        return H2Field(name: Array(all[..<colon]), value: Array(all[valueStart...]))
    }

    static func operation(_ node: Node, at: String) throws(Problem) -> H2BlockOperation {
        guard let map = node.mapping, map.count == 1, let key = map.keys.first?.string, let value = map.values.first else {
            throw Problem("\(at): an operation is a mapping with one key")
        }
        switch key {
        case "indexed":
            guard let index = value.int, index >= 0 else { throw Problem("\(at): 'indexed' takes an index") }
            return .indexed(index)
        case "size_update":
            guard let size = value.int, size >= 0 else { throw Problem("\(at): 'size_update' takes a size") }
            return .sizeUpdate(size)
        case "raw":
            return .raw(try hex(value, at: "\(at) raw"))
        case "literal":
            guard let literal = value.mapping else { throw Problem("\(at): 'literal' takes a mapping") }
            let indexing: HeaderBlockBuilder.Literal
            switch literal["indexing"]?.string ?? "without" {
            case "incremental": indexing = .incrementalIndexing
            case "without": indexing = .withoutIndexing
            case "never": indexing = .neverIndexed
            default: throw Problem("\(at): literal indexing is incremental, without or never")
            }
            let name: H2BlockOperation.LiteralName
            if let index = literal["name_index"]?.int {
                name = .index(index)
            } else if let text = literal["name"] {
                name = .text(try bytes(text, at: at))
            } else {
                throw Problem("\(at): literal needs 'name' or 'name_index'")
            }
            let bits = literal["value_huffman_bits"]?.string
            let value = try literal["value"].map { node throws(Problem) in try bytes(node, at: at) } ?? []
            return .literal(indexing: indexing, name: name, value: value, huffman: literal["huffman"]?.bool ?? false, valueBits: bits)
        default:
            throw Problem("\(at): unknown operation '\(key)' (indexed, literal, size_update, raw)")
        }
    }
}
