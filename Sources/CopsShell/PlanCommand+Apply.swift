import AltcraftWire
import CampaignScript
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension PlanCommand {
    /// `cops apply [target options] [-y] PLAN`, with the arguments after `apply`. Refusals come
    /// before anything is sent, in this order: unusable file, expired, applied before, a
    /// changed runbook or sourced file, another target (76); drift (75); confirmation on a
    /// `confirm = true` profile; then the plan is claimed and its runbook runs behind the guard.
    public static func apply(
        _ arguments: [String], environment: ScriptRunner.Environment = .process, now: Date = Date(),
        askAtTerminal: (@Sendable (String) -> Bool?)? = nil
    ) async -> ExitStatus {
        if arguments == ["-h"] || arguments == ["--help"] {
            environment.sink.result(Wording.applyHelp)
            return .success
        }
        guard let invocation = Invocation.parse(arguments), var options = runOptionsForApply(invocation),
            invocation.script.count == 1
        else {
            environment.sink.message(Wording.applyUsage)
            return .usage
        }
        let planPath = invocation.script[0]
        let plan: RunPlan
        switch read(planPath) {
        case .success(let read): plan = read
        case .failure(let failure):
            environment.sink.message(failure.message)
            return failure.status
        }
        if now > plan.expires {
            environment.sink.message(Wording.planExpired(planPath, expires: UTCTime.rfc3339(plan.expires)))
            return .refused
        }
        let markers = ScriptRunner.stateDirectory(environment.variables) + "/plans"
        let marker = markers + "/" + plan.id + ".applied"
        if FileManager.default.fileExists(atPath: marker) {
            environment.sink.message(Wording.planAlreadyApplied(planPath, id: plan.id))
            return .refused
        }
        guard let runbook = plan.runbook["path"]?.stringValue else {
            environment.sink.message(Wording.planInvalid(planPath, Wording.planMissingField("runbook")))
            return .refused
        }
        if let mismatch = changedFile(plan.runbook) {
            environment.sink.message(Wording.planRunbookChanged(planPath, file: mismatch.file, why: mismatch.why))
            return .refused
        }
        options.arguments = plan.arguments
        let settings = ScriptRunner.settings(options, defaultOutput: environment.stdoutIsTerminal ? .table : .json)
        let chosen = options
        let cancellation = CancellationSwitch()
        let ask = askAtTerminal ?? terminalQuestion
        return await ScriptRunner.withInterruptHandling(cancellation) {
            let verdict = Session.Verdict()
            let planGuard = PlanGuard(plan.mutations, verdict: verdict)
            let review = Session.Review(
                planID: plan.id, decorate: { GuardedOperations($0, guard: planGuard) }, mayChangeUnreviewed: true,
                verdict: verdict)
            return await Session.with(
                chosen, environment: environment, settings: settings, announcesSandbox: true, cancellation: cancellation,
                review: review
            ) { session in
                if let stop = session.connect() { return stop }
                guard let target = session.target else { return .failure }
                let actual = session.described.target
                if actual != plan.target {
                    session.sink.message(
                        Wording.planOtherTarget(
                            planPath, planned: describe(target: plan.target), actual: describe(target: actual)))
                    return .refused
                }
                var drifted: [String] = []
                for observed in plan.observed {
                    switch await drift(of: observed, operations: target.operations) {
                    case .success(let lines): drifted += lines
                    case .failure(let error):
                        session.sink.message(Wording.planReadFailed(observed.campaign, error.text))
                        return ExitStatus(for: error.kind)
                    }
                }
                if !drifted.isEmpty {
                    session.sink.message(Wording.planDrifted(planPath, changes: drifted))
                    return .drift
                }
                if target.confirmsEveryMutation, !chosen.yes {
                    switch ask(Wording.planConfirmQuestion(changes: plan.mutations.count, target: target.label)) {
                    case nil:
                        session.sink.message(Wording.planCannotAsk(target.label))
                        return .refused
                    case false?:
                        session.sink.message(Wording.planNotConfirmed(target.label))
                        return .refused
                    case true?: break
                    }
                }
                switch claim(marker, directory: markers) {
                case .claimed: break
                case .taken:
                    session.sink.message(Wording.planAlreadyApplied(planPath, id: plan.id))
                    return .refused
                case .unwritable(let why):
                    session.sink.message(Wording.planUnwritable(marker, why))
                    return .refused
                }
                let status = await ScriptRunner.runScript(session, .file(runbook), environment: environment)
                if verdict.status == nil, status == .success {
                    let unsent = planGuard.unsent
                    if !unsent.isEmpty {
                        session.sink.message(Wording.planUnsent(unsent.map(PlanGuard.describe)))
                        return .drift
                    }
                }
                return status
            }
        }
    }

    private static func runOptionsForApply(_ invocation: Invocation) -> ScriptRunner.Options? {
        guard invocation.commands.isEmpty, !invocation.check, !invocation.stream, !invocation.usage,
            !invocation.options.dryRun
        else { return nil }
        var options = invocation.options
        options.timeoutMilliseconds = invocation.timeout.flatMap(DurationText.seconds).map { Int64(($0 * 1000).rounded()) }
        return options
    }

    /// The runbook or a file it sources whose text is no longer the planned one.
    static func changedFile(_ runbook: WireValue) -> (file: String, why: String)? {
        let files = [runbook] + (runbook["sourced"]?.arrayValue ?? [])
        for file in files {
            guard let path = file["path"]?.stringValue, let planned = file["sha256"]?.stringValue else {
                return ("?", Wording.planMissingField("runbook"))
            }
            switch ScriptFileReader.read(path) {
            case .failure(let failure): return (path, failure.why)
            case .success(let bytes):
                if RunJournal.sha256(bytes) != planned { return (path, Wording.planTextChanged) }
            }
        }
        return nil
    }

    /// Re-reads a campaign the plan observed: one line per field that differs.
    static func drift(of observed: RunPlan.Observed, operations: any CampaignOperations) async -> Result<
        [String], OperationError
    > {
        let id = observed.campaign
        var now: [(String, WireValue)] = []
        do throws(OperationError) {
            let statusFields = ["id", "status", "is_active", "is_completed"]
            if observed.exists, observed.fields.keys.contains(where: { !statusFields.contains($0) }) {
                now += fields(try await operations.show(id: id))
            }
            now += fields(try await operations.status(id: id))
        } catch {
            guard error.kind == .notFound else { return .failure(error) }
            return .success(
                observed.exists ? [Wording.planFieldDrifted(campaign: id, field: "exists", was: "true", now: "false")] : [])
        }
        guard observed.exists else {
            return .success([Wording.planFieldDrifted(campaign: id, field: "exists", was: "false", now: "true")])
        }
        let current = Dictionary(now, uniquingKeysWith: { _, last in last })
        var lines: [String] = []
        for (name, was) in observed.fields {
            guard let value = current[name], value != was else { continue }
            lines.append(
                Wording.planFieldDrifted(
                    campaign: id, field: name, was: JSONWire.encodeString(was), now: JSONWire.encodeString(value)))
        }
        return .success(lines)
    }

    private static func fields(_ value: Value) -> [(String, WireValue)] {
        guard case .record(let record) = value else { return [] }
        return record.fields.map { ($0.name, RunPlan.wire($0.value)) }
    }

    /// Whether this run got the plan.
    enum Claim: Equatable {
        case claimed
        /// Another apply claimed it first.
        case taken
        /// The marker cannot be written: nothing is sent without it.
        case unwritable(String)
    }

    /// Marks the plan applied, atomically: of two applies at once only one creates the marker.
    static func claim(_ marker: String, directory: String) -> Claim {
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            return errno == EEXIST ? .taken : .unwritable(ScriptFileReader.reason(errno))
        }
        let text = Array("applied \(UTCTime.rfc3339(Date())) by pid \(getpid())\n".utf8)
        _ = text.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        return .claimed
    }

    /// Asks on the terminal; nil when standard input is not one (then nothing waits).
    @Sendable static func terminalQuestion(_ question: String) -> Bool? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        StandardStreams.err(question)
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
