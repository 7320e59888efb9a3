import ArgumentParser
import CopsLSP
import CopsShell
import Foundation

/// Which reader a `cops` command line goes to: `cops sandbox …` and `cops help …` by their
/// first word, the everyday lines to `Invocation.parse`, everything else to ArgumentParser's
/// `Cops`. Then runs it and exits with its status.
public enum CopsProgram {
    public static func main(_ arguments: [String]) async -> Never {
        // A root command that takes a script file and its arguments would otherwise read
        // `sandbox` as the script's name; a script file named `sandbox` runs as `cops ./sandbox`
        // (and one named `fmt` as `cops ./fmt`).
        if arguments.first == "sandbox" || arguments.first == "fmt" {
            await SubcommandRoot.main(arguments)
            exit(0)
        }
        // `cops lsp` is for editors, which start it with no other argument or, as generic
        // clients do, with `--stdio`; a script file named `lsp` runs as `cops ./lsp`.
        if arguments.first == "lsp" {
            guard arguments.dropFirst().allSatisfy({ $0 == "--stdio" }) else {
                FileHandle.standardError.write(Data((Wording.lspUsage + "\n").utf8))
                exit(64)
            }
            exit(StandardStreamsServer.run())
        }
        // `cops runs` lists the run journals; a script file named `runs` runs as `cops ./runs`.
        if arguments.first == "runs" {
            exit(RunsCommand.run(Array(arguments.dropFirst())).rawValue)
        }
        // `cops plan`, `cops show-plan` and `cops apply` (docs/changes.md, "Plans"); a script
        // file of one of those names runs as `cops ./plan`.
        switch arguments.first {
        case "plan": exit(await PlanCommand.plan(Array(arguments.dropFirst())).rawValue)
        case "show-plan": exit(PlanCommand.show(Array(arguments.dropFirst())).rawValue)
        case "apply": exit(await PlanCommand.apply(Array(arguments.dropFirst())).rawValue)
        default: break
        }
        // `help` as the first word is always help, as `git help` is; a script file named
        // `help` runs as `cops ./help` (docs/program.md).
        if arguments.first == "help" {
            let (text, status) = help(Array(arguments.dropFirst()))
            if status == 0 { print(text) } else { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            exit(status)
        }
        // The everyday command lines skip ArgumentParser (its reflection costs every start a
        // few milliseconds); the rest, help and usage errors go through it.
        if let invocation = Invocation.parse(arguments) {
            exit(await invocation.run().rawValue)
        }
        // Run here rather than by `Cops.main`, which ends even a successful run by throwing
        // `ExitCode` through ArgumentParser's error printer.
        let parsed: any ParsableCommand
        do {
            parsed = try Cops.parseAsRoot(arguments)
        } catch {
            Cops.exit(withError: error)
        }
        guard let command = parsed as? Cops else {
            await Cops.main(arguments)
            exit(0)
        }
        exit(await command.invocation.run().rawValue)
    }

    /// `cops help [sandbox [serve|reset]|fmt]`: the help `cops --help` points to ("See 'cops help
    /// <subcommand>'"). Answered here because the script-file argument would otherwise take
    /// `help` as a file name. Returns the text and the exit status (64 for an unknown topic).
    static func help(_ topic: [String]) -> (text: String, status: Int32) {
        let commands: [[String]: any ParsableCommand.Type] = [
            ["sandbox"]: SandboxCommand.self, ["sandbox", "serve"]: SandboxCommand.Serve.self,
            ["sandbox", "reset"]: SandboxCommand.Reset.self, ["fmt"]: FormatCommand.self,
        ]
        if topic.isEmpty { return (Cops.helpMessage(), 0) }
        guard let command = commands[topic] else { return (Wording.noHelpTopic(topic.joined(separator: " ")), 64) }
        return (Cops.helpMessage(for: command), 0)
    }
}
