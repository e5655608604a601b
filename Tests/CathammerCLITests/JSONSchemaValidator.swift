import Foundation
import XCTest

/// Validates a JSON document against one of the committed schemas with Python's `jsonschema`, which
/// `make test` installs when it is missing, in the draft the schema names (`$schema`: 2020-12 for
/// report.schema.json, draft-04 for the SARIF schema): the schema is checked by an implementation
/// nobody here wrote, not by a reading of its required keys.
enum JSONSchemaValidator {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func schema(_ name: String) -> URL {
        repository.appendingPathComponent("reports/schema/\(name)")
    }

    /// nil when `document` is valid; otherwise jsonschema's explanation.
    static func problems(document: URL, schema: URL) throws -> String? {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
            validator.check_schema(schema)
            errors = sorted(validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)
            for error in errors[:20]:
                print("/".join(map(str, error.absolute_path)) + ": " + error.message)
            sys.exit(1 if errors else 0)
            """
        let (status, text) = try CathammerBinary.runTool("/usr/bin/env", ["python3", "-c", script, schema.path, document.path],
                                                         capture: true)
        if status == 0 { return nil }
        XCTAssertFalse(text.contains("No module named 'jsonschema'"), "jsonschema is missing: `make test` installs it")
        return text.isEmpty ? "python3 exited with \(status)" : text
    }
}
