import ArgumentParser
import PreforkServer

/// `serve --app`: one of the applications the server has (`ServerConfig.applications`).
struct ApplicationName: ExpressibleByArgument {
    static let catserve = ApplicationName(argument: "catserve")!

    let name: String

    init?(argument: String) {
        guard ServerConfig.applications.contains(argument) else { return nil }
        name = argument
    }

    static var allValueStrings: [String] { ServerConfig.applications }

    var defaultValueDescription: String { name }
}
