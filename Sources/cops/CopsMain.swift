import ArgumentParser
import CopsCommandLine
import CopsShell

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
            await SandboxCommand.main(Array(arguments.dropFirst()))
            return
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
