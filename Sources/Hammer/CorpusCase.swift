import CathammerContract
import Foundation
import HTTPWire
import Yams

/// One conformance case, as written in `corpus/<category>/<ID>.yaml` (schema: corpus/README.md).
public struct CorpusCase: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case send([UInt8], bytewise: Bool)
        case pause(milliseconds: Int)
        case halfClose
    }

    public var id: String
    public var title: String
    public var category: String
    public var level: String
    public var rfc: String
    public var references: [String]
    public var why: String
    public var steps: [Step]
    /// The raw `send` texts, escapes kept, for reports.
    public var sendTexts: [String]
    public var canary: Bool
    public var pass: [OutcomePattern]
    public var warn: [OutcomePattern]
    public var path: String
    /// What the target must offer for the verdict to mean something (see `Requirement`).
    public var needs: [Requirement] = []
    /// The RFC sentence the strict answer rests on, verbatim (required for level MUST, and must
    /// contain MUST); shown beside every FAIL so a reader can check it without opening the RFC.
    public var quote: String?
    /// What goes wrong when a server gets this case wrong, in one line.
    public var risk: String?
    /// The case is about the status code itself (e.g. 414 for a long target), so a refusal with
    /// another code is judged by the level, not forgiven as a safe refusal.
    public var statusMatters = false
    /// The case is a framing error: a strict answer closes, so a connection left open is a desync
    /// signal whatever the level. Defaults from the category (see `framingCategories`).
    public var framing = false
    /// The verdict depends on the target decoding a coding (e.g. `Transfer-Encoding: gzip, chunked`);
    /// an echo that reports a length only cannot tell decoding from ignoring, so it is WARN at best.
    public var decoding = false
    /// HTTP/1.1 bytes (`steps` of `send`) or HTTP/2 frames (`h2`).
    public var wireProtocol = WireProtocol.h1
    /// The opening and steps of an HTTP/2 case.
    public var h2: H2Script?

    /// Categories whose cases are about message framing: a connection left open after the error is
    /// where the next request would be read from the wrong place.
    public static let framingCategories: Set<String> = ["chunked", "content-length", "transfer-encoding", "desync"]

    public static let levels = CorpusLevel.allCases.map(\.rawValue)

    /// A property of the target some cases depend on beyond HTTP itself.
    public enum Requirement: String, Sendable, CaseIterable {
        /// The reference application's routes: 404 for unknown paths, 405 for PUT and POST on `/`.
        /// A server that answers 200 everywhere cannot show a rejection these cases look for, so on
        /// other targets they are skipped rather than failed.
        case catserveRoutes = "catserve-routes"
    }

    /// The bytes sent, with `{host}` filled in.
    public func bytes(host: String) -> [[UInt8]] {
        steps.compactMap {
            if case .send(let bytes, _) = $0 { return Self.fillHost(bytes, host: host) }
            return nil
        }
    }

    static func fillHost(_ bytes: [UInt8], host: String) -> [UInt8] {
        let placeholder = Array("{host}".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes.count - index >= placeholder.count && Array(bytes[index..<(index + placeholder.count)]) == placeholder {
                out += Array(host.utf8)
                index += placeholder.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}

/// A problem in a corpus file, with where it is.
public struct CorpusError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension CorpusCase {
    /// Parses and checks one file. Every rule of corpus/README.md is enforced here, so `corpus lint`
    /// and the runner agree on what a valid case is.
    public static func load(path: String, text: String) throws(CorpusError) -> CorpusCase {
        func fail(_ message: String) -> CorpusError { CorpusError(path: path, message: message) }
        let node: Node
        do {
            guard let parsed = try Yams.compose(yaml: text) else { throw fail("empty file") }
            node = parsed
        } catch let error as CorpusError {
            throw error
        } catch {
            throw fail("not valid YAML: \(error)")
        }
        guard let mapping = node.mapping else { throw fail("the top level must be a mapping") }
        var known: Set<String> = ["id", "title", "category", "level", "rfc", "references", "why", "steps", "canary", "needs", "expect",
                                 "quote", "risk", "status_matters", "framing", "decoding", "protocol"]
        var wireProtocol = WireProtocol.h1
        if let node = mapping["protocol"] {
            guard let text = node.string, let value = WireProtocol(rawValue: text) else { throw fail("'protocol' is h1 or h2") }
            wireProtocol = value
        }
        if wireProtocol == .h2 { known.formUnion(["opening", "client_settings"]) }
        for key in mapping.keys.compactMap(\.string) where !known.contains(key) { throw fail("unknown key '\(key)'") }
        func string(_ key: String) throws(CorpusError) -> String {
            guard let value = mapping[key]?.string, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw fail("'\(key)' is missing or empty")
            }
            return value
        }
        let id = try string("id")
        guard id.range(of: "^[A-Z0-9][A-Z0-9-]*$", options: .regularExpression) != nil else {
            throw fail("id '\(id)' must be uppercase letters, digits and '-'")
        }
        let fileName = (path as NSString).lastPathComponent
        guard fileName == "\(id).yaml" else { throw fail("the file must be named \(id).yaml") }
        let category = try string("category")
        let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
        guard folder == category else { throw fail("category '\(category)' does not match its folder '\(folder)'") }
        guard category.hasPrefix("h2-") == (wireProtocol == .h2) else {
            throw fail(wireProtocol == .h2 ? "an HTTP/2 case belongs in a category named h2-…" : "category '\(category)' is for HTTP/2 cases: add 'protocol: h2'")
        }
        let level = try string("level")
        guard levels.contains(level) else { throw fail("level '\(level)' is not one of \(levels.joined(separator: ", "))") }
        let rfc = try string("rfc")
        let rfcs = wireProtocol == .h2 ? "9113|7541|9110|8441|9218|6585|7540" : "9110|9112|9111|6585|3986|7230"
        guard rfc.range(of: #"^RFC ("# + rfcs + #") §\d+(\.\d+)*"#, options: .regularExpression) != nil else {
            throw fail("rfc '\(rfc)' must look like '\(wireProtocol == .h2 ? "RFC 9113 §6.5" : "RFC 9112 §6.3")'")
        }
        let references = mapping["references"]?.sequence?.compactMap(\.string) ?? []
        var steps: [Step] = []
        var sendTexts: [String] = []
        var h2Script: H2Script?
        if wireProtocol == .h2 {
            do {
                let loaded = try H2ScriptLoader.load(mapping)
                h2Script = loaded.script
                sendTexts = loaded.texts
            } catch {
                throw fail(error.message)
            }
        }
        guard let stepNodes = mapping["steps"]?.sequence, !stepNodes.isEmpty else { throw fail("'steps' must be a non-empty list") }
        for (index, stepNode) in stepNodes.enumerated() where wireProtocol == .h1 {
            guard let step = stepNode.mapping, step.count == 1, let key = step.keys.first?.string, let value = step.values.first
            else { throw fail("step \(index + 1) must be a mapping with one key") }
            switch key {
            case "send", "send_bytewise":
                guard let scalar = value.scalar else { throw fail("step \(index + 1): '\(key)' needs a string") }
                if scalar.style == .doubleQuoted {
                    throw fail("step \(index + 1): write bytes in single quotes; YAML's double-quoted escapes turn \\xNN above 0x7F into two bytes")
                }
                do {
                    steps.append(.send(try ByteEscapes.decode(scalar.string), bytewise: key == "send_bytewise"))
                } catch {
                    throw fail("step \(index + 1): \(error)")
                }
                sendTexts.append(scalar.string)
            case "pause":
                guard let text = value.string, let pause = try? DurationText(text), pause.milliseconds <= 4000 else {
                    throw fail("step \(index + 1): pause must be like 200ms or 1s, at most 4s")
                }
                steps.append(.pause(milliseconds: Int(pause.milliseconds)))
            case "half_close":
                guard value.bool == true else { throw fail("step \(index + 1): half_close takes true") }
                steps.append(.halfClose)
            default:
                throw fail("step \(index + 1): unknown step '\(key)'")
            }
        }
        guard !sendTexts.isEmpty else { throw fail("no 'send' step") }
        guard let expect = mapping["expect"]?.mapping else { throw fail("'expect' is missing") }
        for key in expect.keys.compactMap(\.string) where key != "pass" && key != "warn" {
            throw fail("expect: unknown key '\(key)'")
        }
        func patterns(_ key: String) throws(CorpusError) -> [OutcomePattern] {
            guard let list = expect[key] else { return [] }
            guard let items = list.sequence else { throw fail("expect.\(key) must be a list") }
            var result: [OutcomePattern] = []
            for item in items {
                let parsed = item.string.flatMap { wireProtocol == .h2 ? OutcomePattern(h2: $0) : OutcomePattern($0) }
                guard let pattern = parsed else {
                    throw fail("expect.\(key): '\(item.string ?? "?")' is not an outcome (see corpus/README.md)")
                }
                result.append(pattern)
            }
            return result
        }
        let pass = try patterns("pass")
        guard !pass.isEmpty else { throw fail("expect.pass must list at least one outcome") }
        var needs: [Requirement] = []
        if let needsNode = mapping["needs"] {
            guard let items = needsNode.sequence else { throw fail("'needs' must be a list") }
            for item in items {
                guard let requirement = item.string.flatMap(Requirement.init(rawValue:)) else {
                    throw fail("needs: '\(item.string ?? "?")' is not one of \(Requirement.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                needs.append(requirement)
            }
        }
        var loaded = CorpusCase(
            id: id, title: try string("title"), category: category, level: level, rfc: rfc, references: references,
            why: try string("why"), steps: steps, sendTexts: sendTexts, canary: mapping["canary"]?.bool ?? false,
            pass: pass, warn: try patterns("warn"), path: path)
        loaded.needs = needs
        loaded.wireProtocol = wireProtocol
        loaded.h2 = h2Script
        func flag(_ key: String) throws(CorpusError) -> Bool? {
            guard let node = mapping[key] else { return nil }
            guard let value = node.bool else { throw fail("'\(key)' takes true or false") }
            return value
        }
        loaded.statusMatters = try flag("status_matters") ?? false
        loaded.framing = try flag("framing") ?? framingCategories.contains(category)
        loaded.decoding = try flag("decoding") ?? false
        func optionalText(_ key: String) throws(CorpusError) -> String? {
            guard let node = mapping[key] else { return nil }
            guard let value = node.string?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw fail("'\(key)' must be a non-empty string")
            }
            return value
        }
        loaded.quote = try optionalText("quote")
        loaded.risk = try optionalText("risk")
        if level == "MUST" {
            // A FAIL must be checkable against the sentence it breaks (issue 12, item 9).
            guard let quote = loaded.quote, quote.contains("MUST") else {
                throw fail("level MUST needs 'quote': the RFC sentence with its MUST (or MUST NOT), verbatim")
            }
        }
        if let risk = loaded.risk, risk.contains("\n") { throw fail("'risk' must be one line") }
        return loaded
    }
}
