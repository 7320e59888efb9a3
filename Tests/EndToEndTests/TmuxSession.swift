import Foundation
import XCTest

/// The built `cops` on a real terminal: a tmux session on a private socket (never the
/// user's server), driven with send-keys and read with capture-pane.
final class TmuxSession {
    let socket: String
    let name = "cops"

    /// Whether tmux is installed (CI installs it; elsewhere the terminal tests are skipped).
    static var isAvailable: Bool { tmuxPath != nil }

    static let tmuxPath: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Starts `command` (a shell command line) with `environment` in a 120×40 terminal.
    init(_ command: String, environment: [String: String], directory: URL) throws {
        socket = directory.appendingPathComponent("tmux-\(UUID().uuidString.prefix(8)).sock").path
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }
        // The shell reports how cops ended on the screen: tmux's own pane_dead_status stayed
        // empty now and then (it missed the child's exit), which made the tests flaky.
        let line =
            "cd \(Self.quote(directory.path)) && exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 "
            + assignments.joined(separator: " ") + " sh -c " + Self.quote(command + "; echo \"[cops exited $?]\"")
        try tmux(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", line])
        try tmux(["set-option", "-t", name, "remain-on-exit", "on"])
    }

    struct TmuxError: Error {
        var status: Int32
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tmuxPath ?? "/usr/bin/tmux")
        process.arguments = ["-S", socket] + arguments
        // `new-session` forks the tmux server, which would inherit a pipe and keep it open
        // for ever; it gets no pipes. Other commands print what is asked of them.
        // Foundation's Process does not see the client exit when the forked server keeps
        // descriptors it inherited (the test hung), so the server is started by system(3).
        guard arguments.first != "new-session" else {
            let line = ([Self.tmuxPath ?? "tmux", "-S", socket] + arguments).map(Self.quote).joined(separator: " ")
            // The server inherits this thread's signal mask, and Swift's pool threads block
            // signals; with SIGCHLD blocked tmux never learns how cops exited ("1::").
            var none = sigset_t()
            var saved = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, &saved)
            defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
            let status = system(line + " </dev/null >/dev/null 2>&1")
            if status != 0 { throw TmuxError(status: status) }
            return ""
        }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Types text literally (no key names).
    func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }

    /// Presses keys by tmux name: Enter, Tab, Up, C-c, C-d.
    func press(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    /// The screen and its scrollback.
    func screen() -> String { (try? tmux(["capture-pane", "-p", "-J", "-t", name, "-S", "-300"])) ?? "" }

    /// The cops process: the child of the pane's shell.
    var copsPID: Int32 {
        let shell =
            (try? tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? ""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        process.arguments = ["-P", shell]
        let out = Pipe()
        process.standardOutput = out
        guard !shell.isEmpty, (try? process.run()) != nil else { return 0 }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Int32(text.split(separator: "\n").first.map(String.init) ?? "") ?? 0
    }

    /// How cops ended, once the shell has said so (128 + N for signal N).
    var exitStatus: Int? {
        let text = screen()
        guard let range = text.range(of: #"\[cops exited [0-9]+\]"#, options: .regularExpression) else { return nil }
        return Int(text[range].dropFirst("[cops exited ".count).dropLast())
    }

    /// Waits until the screen satisfies `condition` (up to `timeout` seconds).
    @discardableResult
    func wait(
        for description: String, timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line,
        _ condition: (String) -> Bool
    ) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(screen()) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting for \(description); screen:\n\(screen())", file: file, line: line)
        return false
    }

    /// Waits until the prompt is back and waiting for input (its line is the last one).
    @discardableResult
    func waitForPrompt(_ prompt: String = "cops(sandbox)>", file: StaticString = #filePath, line: UInt = #line) -> Bool {
        wait(for: "the prompt", file: file, line: line) { screen in
            screen.split(separator: "\n").last.map { $0.hasPrefix(prompt) && $0.trimmingCharacters(in: .whitespaces) == prompt }
                ?? false
        }
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    func wait(for text: String, timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        wait(for: "'\(text)'", timeout: timeout, file: file, line: line) { $0.contains(text) }
    }

    /// Waits until the program has ended and returns its status.
    func waitForExit(timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("cops did not exit; screen:\n\(screen())", file: file, line: line)
        return nil
    }

    /// Ends the session (and with it this private server).
    func close() {
        _ = try? tmux(["kill-session", "-t", name])
        try? FileManager.default.removeItem(atPath: socket)
    }
}
