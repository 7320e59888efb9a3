/// Where the statement that sends a change is: what a run journal records with each change.
///
/// The interpreter sets it, task-locally, around each `perform`, so an operations decorator
/// can read it without the `CampaignOperations` protocol carrying positions every
/// implementation would have to accept.
public struct StatementPosition: Sendable, Equatable {
    /// The file as diagnostics name it (`<stdin>`, `<command line>`, a path).
    public var file: String
    /// 1-based, counted as diagnostics count it (a `--stream` statement by its line on stdin).
    public var line: Int
    /// 1-based, in Unicode scalars.
    public var column: Int

    /// Creates a position.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The statement whose change is being performed, in this task and the tasks it starts.
    @TaskLocal public static var current: StatementPosition?
}

extension CampaignOperations {
    /// `perform`, with `position` as `StatementPosition.current` while it runs.
    public func perform(_ operation: MutatingOperation, at position: StatementPosition) async throws(OperationError)
        -> Int64?
    {
        let result: Result<Int64?, OperationError> = await StatementPosition.$current.withValue(position) {
            do throws(OperationError) {
                return .success(try await perform(operation))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension CampaignOperations {
    /// `plan`, with `position` as `StatementPosition.current` while it runs: a plan file
    /// records where each planned change is.
    public func plan(_ operation: MutatingOperation, at position: StatementPosition) async throws(OperationError)
        -> String
    {
        let result: Result<String, OperationError> = await StatementPosition.$current.withValue(position) {
            do throws(OperationError) {
                return .success(try await plan(operation))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
