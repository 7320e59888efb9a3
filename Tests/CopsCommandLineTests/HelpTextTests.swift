import ArgumentParser
import XCTest

@testable import CopsCommandLine

/// What `cops --help`, `cops help sandbox [serve|reset]` and `cops help fmt` show people.
final class HelpTextTests: XCTestCase {
    let commands: [any ParsableCommand.Type] = [
        Cops.self, SandboxCommand.self, SandboxCommand.Serve.self, SandboxCommand.Reset.self, FormatCommand.self,
    ]

    /// No names from the code: a rename once left "SessionTarget:" in `--help`, and
    /// ArgumentParser names values after properties (`<fail-rate>`) unless told otherwise.
    func testHelpShowsNoNamesFromTheCode() {
        for command in commands {
            let help = Cops.helpMessage(for: command, columns: 200)
            let camelCase = help.matches(of: /\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b/).map { String($0.output) }
            XCTAssertEqual(camelCase, [], help)
            // (`--port <port>` reads well; `--fail-rate <fail-rate>` is a property's name.)
            let propertyNamed = help.matches(of: /--([a-z]+-[a-z-]+) <([a-z-]+)>/).filter { $0.output.1 == $0.output.2 }
            XCTAssertEqual(propertyNamed.map { String($0.output.0) }, [], help)
        }
    }

    /// The man page is generated from the same help, by a generator that drops every
    /// character beyond ASCII (`0–1` became `01`).
    func testHelpIsASCII() {
        for command in commands {
            let help = Cops.helpMessage(for: command, columns: 200)
            XCTAssertEqual(help.unicodeScalars.filter { !$0.isASCII }.map(String.init), [], help)
        }
    }

    func testUsageNamesEveryWayToCallCops() {
        let help = Cops.helpMessage(columns: 200)
        XCTAssertTrue(help.contains("USAGE: cops [<options>] [<file> [<argument> ...]]\n"), help)
        XCTAssertTrue(help.contains("cops sandbox serve|reset [<options>]\n"), help)
        XCTAssertTrue(help.contains("cops fmt [--check] [--diff] [<file> ...]\n"), help)
        XCTAssertTrue(help.contains("cops lsp\n"), help)
        XCTAssertTrue(help.contains("cops help [sandbox [serve|reset]|fmt]\n"), help)
    }
}
