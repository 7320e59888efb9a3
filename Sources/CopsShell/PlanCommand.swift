import AltcraftWire
import CampaignScript
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cops plan`, `cops show-plan` and `cops apply` (docs/changes.md, "Plans"). Both runs go
/// through `Session` like every other mode: the plan with `PlanningOperations` around the
/// target's operations, the apply with `GuardedOperations` in front of the journal's.
public enum PlanCommand {
    // MARK: cops plan

    /// `cops plan [target options] --out PLAN FILE [ARGS…]`, with the arguments after `plan`.
    public static func plan(
        _ arguments: [String], environment: ScriptRunner.Environment = .process, now: Date = Date()
    ) async -> ExitStatus {
        if arguments == ["-h"] || arguments == ["--help"] {
            environment.sink.result(Wording.planHelp)
            return .success
        }
        guard let taken = takeOut(arguments), let invocation = Invocation.parse(taken.rest),
            var options = runOptions(invocation), let path = invocation.script.first, path != "-"
        else {
            environment.sink.message(Wording.planUsage)
            return .usage
        }
        let out = taken.out
        if FileManager.default.fileExists(atPath: out) {
            environment.sink.message(Wording.planExists(out))
            return .refused
        }
        options.arguments = Array(invocation.script.dropFirst())
        options.dryRun = true
        let recording = PlanRecording()
        let settings = ScriptRunner.settings(options, defaultOutput: environment.stdoutIsTerminal ? .table : .json)
        let chosen = options
        let cancellation = CancellationSwitch()
        return await ScriptRunner.withInterruptHandling(cancellation) {
            await Session.with(
                chosen, environment: environment, settings: settings, announcesSandbox: true, cancellation: cancellation,
                review: Session.Review(decorate: { PlanningOperations($0, recording: recording) })
            ) { session in
                let status = await ScriptRunner.runScript(session, .file(path), environment: environment)
                guard status == .success, let target = session.target else {
                    session.sink.message(Wording.planNotWritten(out))
                    return status
                }
                // A campaign a change names whose status no read returned: read now, so the
                // plan predicts from it and `apply` can tell whether it drifted.
                for id in recording.withoutStatus {
                    do throws(OperationError) {
                        _ = try await recording.reading(id) { () async throws(OperationError) in
                            try await target.operations.status(id: id)
                        }
                    } catch {
                        // Not found is an observation too (`exists: false`); anything else ends it.
                        if error.kind != .notFound {
                            session.sink.message(Wording.planReadFailed(id, error.text))
                            session.sink.message(Wording.planNotWritten(out))
                            return ExitStatus(for: error.kind)
                        }
                    }
                }
                let observed = recording.observed
                let described = session.described
                let plan = RunPlan(
                    id: RunPlan.newID(), created: now, expires: now.addingTimeInterval(RunPlan.maximumAge),
                    runbook: described.runbook, arguments: chosen.arguments, target: described.target, observed: observed,
                    mutations: RunPlan.predict(recording.mutations, observed: observed))
                let text = session.masked(JSONWire.encodeString(plan.wireValue)) + "\n"
                if let failure = write(text, to: out) {
                    session.sink.message(Wording.planUnwritable(out, failure))
                    return .refused
                }
                let counts = [RunPlan.Prediction.wouldChange, .noOp, .cannotPredict].map { prediction in
                    (prediction, plan.mutations.filter { $0.prediction == prediction }.count)
                }
                session.sink.message(
                    Wording.planWritten(out, id: plan.id, counts: counts, expires: UTCTime.rfc3339(plan.expires)))
                return .success
            }
        }
    }

    /// `--out PLAN` (or `--out=PLAN`) among the options before the file, and the rest.
    static func takeOut(_ arguments: [String]) -> (out: String, rest: [String])? {
        var out: String?
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--out", index + 1 < arguments.count, out == nil {
                out = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--out="), out == nil {
                out = String(argument.dropFirst(6))
                index += 1
                continue
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                rest += arguments[index...]
                break
            }
            rest.append(argument)
            if let option = CommandLineOption(spelled: argument), !option.isFlag, index + 1 < arguments.count {
                rest.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard let out, !out.isEmpty else { return nil }
        return (out, rest)
    }

    /// The options of a plan or apply run: a target and settings, no other mode.
    private static func runOptions(_ invocation: Invocation) -> ScriptRunner.Options? {
        guard invocation.commands.isEmpty, !invocation.check, !invocation.stream, !invocation.usage,
            !invocation.options.dryRun, !invocation.script.isEmpty
        else { return nil }
        var options = invocation.options
        options.timeoutMilliseconds = invocation.timeout.flatMap(DurationText.seconds).map { Int64(($0 * 1000).rounded()) }
        return options
    }

    /// Writes a new file, 0600; nil when written, else why not.
    static func write(_ text: String, to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return ScriptFileReader.reason(errno) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return ScriptFileReader.reason(errno) }
            written += count
        }
        return fsync(descriptor) == 0 ? nil : ScriptFileReader.reason(errno)
    }

    // MARK: cops show-plan

    /// `cops show-plan PLAN [-o table|json]`: the plan for a reviewer.
    public static func show(_ arguments: [String], environment: ScriptRunner.Environment = .process) -> ExitStatus {
        var output: OutputFormat = environment.stdoutIsTerminal ? .table : .json
        var rest = arguments
        if let index = rest.firstIndex(where: { $0 == "-o" || $0 == "--output" }), index + 1 < rest.count,
            let format = OutputFormat(rawValue: rest[index + 1]), format == .table || format == .json
        {
            output = format
            rest.removeSubrange(index...(index + 1))
        }
        guard rest.count == 1, !rest[0].hasPrefix("-") else {
            environment.sink.message(Wording.showPlanUsage)
            return .usage
        }
        let plan: RunPlan
        switch read(rest[0]) {
        case .success(let read): plan = read
        case .failure(let failure):
            environment.sink.message(failure.message)
            return failure.status
        }
        if output == .json {
            environment.sink.result(JSONWire.encodeString(plan.wireValue))
            return .success
        }
        environment.sink.result(summary(plan) + "\n" + TableFormatter().format(block(plan)))
        return .success
    }

    /// The plan's header for a reviewer: what, where, with what, and until when.
    static func summary(_ plan: RunPlan) -> String {
        let target = describe(target: plan.target)
        let runbook = plan.runbook["path"]?.stringValue ?? "?"
        let arguments = plan.arguments.isEmpty ? "none" : plan.arguments.map { "'\($0)'" }.joined(separator: " ")
        return """
            plan      \(plan.id)
            target    \(target)
            runbook   \(runbook) (sha256 \(plan.runbook["sha256"]?.stringValue ?? "?"))
            arguments \(arguments)
            created   \(UTCTime.rfc3339(plan.created))
            expires   \(UTCTime.rfc3339(plan.expires))
            changes   \(plan.mutations.count)

            """
    }

    /// One row per planned change.
    static func block(_ plan: RunPlan) -> ResultBlock {
        let rows = plan.mutations.map { mutation in
            let campaign: Value =
                mutation.campaign.map(Value.int)
                ?? .string(
                    Wording.planKnownAfterApply
                        + (mutation.known.isEmpty ? "" : " + " + mutation.known.map(String.init).joined(separator: ", ")))
            let parameters =
                mutation.parameters.objectValue.map { $0.isEmpty ? "" : JSONWire.encodeString(mutation.parameters) }
                ?? Wording.planAsWritten(mutation.request ?? mutation.operation)
            return ResultRow(
                Record([
                    ("seq", .int(Int64(mutation.sequence))),
                    ("line", mutation.position.map { .int(Int64($0.line)) } ?? .null), ("campaign", campaign),
                    ("operation", .string(mutation.operation)), ("parameters", .string(parameters)),
                    ("change", .string(mutation.current + " -> " + mutation.intended)),
                    ("prediction", .string(mutation.prediction.rawValue)),
                ]))
        }
        return ResultBlock(op: "plan", layout: .rows, rows: rows)
    }

    static func describe(target: WireValue) -> String {
        let kind = target["kind"]?.stringValue ?? "?"
        let name = target["name"]?.stringValue ?? "?"
        let host = target["host"]?.stringValue
        return "\(kind) '\(name)'" + (host.map { " (\($0))" } ?? "")
    }

    /// Why a plan file cannot be used, and the status to end with.
    struct Unusable: Error {
        var message: String
        var status: ExitStatus
    }

    static func read(_ path: String) -> Result<RunPlan, Unusable> {
        switch ScriptFileReader.read(path) {
        case .failure(let failure):
            return .failure(Unusable(message: Wording.planUnreadable(path, failure.why), status: .unreadableScript))
        case .success(let bytes):
            do throws(RunPlan.Invalid) {
                return .success(try RunPlan.parse(bytes))
            } catch {
                return .failure(Unusable(message: Wording.planInvalid(path, error.reason), status: .refused))
            }
        }
    }
}
