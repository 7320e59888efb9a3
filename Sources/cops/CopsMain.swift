import ArgumentParser
import CopsCommandLine
import CopsShell
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Dispatches `cops sandbox …` itself: a root command that takes a script file and its
/// arguments would otherwise read `sandbox` as the script's name.
@main
enum CopsMain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "sandbox" {
            await SandboxRoot.main(arguments)
            return
        }
        // `help` as the first word is always help, as `git help` is; a script file named
        // `help` runs as `cops ./help` (docs/program.md).
        if arguments.first == "help" {
            let (text, status) = Cops.help(Array(arguments.dropFirst()))
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
            return
        }
        exit(await command.invocation.run().rawValue)
    }
}
