/// Expressions, string interpolation and target sets.
extension Interpreter {
    /// The value of an expression.
    func evaluate(_ expression: Expr) async throws -> Value {
        switch expression.kind {
        case .integer(let value): return .int(value)
        case .string(let parts): return .string(try await interpolate(parts))
        case .bool(let value): return .bool(value)
        case .null: return .null
        case .duration(let milliseconds): return .duration(milliseconds)
        case .variable(let name): return variables[name] ?? .null
        case .field(let base, let name):
            let value = try await evaluate(base)
            return try field(name, of: value, at: expression.range)
        case .index(let base, let index):
            let list = try await evaluate(base)
            let position = try await evaluate(index)
            guard case .list(let items) = list, case .int(let at) = position else {
                throw fail(.notIndexable(type: list.typeName, indexType: position.typeName), at: expression.range)
            }
            // Negative indexes count from the end, as `$ids[-1]` reads naturally.
            let resolved = at < 0 ? Int64(items.count) + at : at
            guard resolved >= 0, resolved < Int64(items.count) else {
                throw fail(.indexOutOfRange(index: at, count: items.count), at: expression.range)
            }
            return items[Int(resolved)]
        case .command(let command):
            return try await run(command, display: false)
        case .comparison(let op, let left, let right):
            let lhs = try await evaluate(left)
            let rhs = try await evaluate(right)
            switch op {
            case .equal: return .bool(Value.same(lhs, rhs))
            case .notEqual: return .bool(!Value.same(lhs, rhs))
            case .in:
                guard let result = Value.contains(rhs, lhs) else {
                    throw fail(.cannotCompare(op: "in", left: lhs.typeName, right: rhs.typeName), at: expression.range)
                }
                return .bool(result)
            case .less, .lessEqual, .greater, .greaterEqual:
                guard let order = Value.order(lhs, rhs) else {
                    throw fail(.cannotCompare(op: op.rawValue, left: lhs.typeName, right: rhs.typeName), at: expression.range)
                }
                switch op {
                case .less: return .bool(order < 0)
                case .lessEqual: return .bool(order <= 0)
                case .greater: return .bool(order > 0)
                default: return .bool(order >= 0)
                }
            }
        case .and(let left, let right):
            guard try await evaluate(left).isTruthy else { return .bool(false) }
            return .bool(try await evaluate(right).isTruthy)
        case .or(let left, let right):
            if try await evaluate(left).isTruthy { return .bool(true) }
            return .bool(try await evaluate(right).isTruthy)
        case .not(let operand):
            return .bool(!(try await evaluate(operand).isTruthy))
        }
    }

    func field(_ name: String, of value: Value, at range: SourceRange) throws -> Value {
        if let result = value.field(name) { return result }
        // A planned record (dry run) has no server data yet: its fields are unknown, not errors.
        if value.isPlanned { return .null }
        var available: [String] = []
        if case .record(let record) = value { available = record.names }
        throw fail(.noSuchField(name: name, type: value.typeName, available: available), at: range)
    }

    /// The text of a string literal with `$name.field` references filled in.
    func interpolate(_ parts: [StringPart]) async throws -> String {
        var text = ""
        for part in parts {
            switch part {
            case .text(let piece): text += piece
            case .variable(let reference):
                var value = variables[reference.name] ?? .null
                for name in reference.fields { value = try field(name, of: value, at: reference.range) }
                text += value.displayText
            }
        }
        return text
    }

    /// The values `for` iterates over a target set: IDs for integers and ranges, the items of
    /// lists, single values as they are.
    func iterationValues(_ targets: Targets) async throws -> [Value] {
        var values: [Value] = []
        for item in targets.items {
            switch item.kind {
            case .id(let id): values.append(.int(id.value))
            case .range(let low, let high): values += (low.value...high.value).map { .int($0) }
            case .variable(let expression): values += try iterable(try await evaluate(expression), at: item.range)
            case .command(let command): values += try iterable(try await run(command, display: false), at: item.range)
            }
        }
        return values
    }

    func iterable(_ value: Value, at range: SourceRange) throws -> [Value] {
        switch value {
        case .list(let items): return items
        case .null: return []
        case .int, .string, .record: return [value]
        case .bool, .duration: throw fail(.notIterable(type: value.typeName), at: range)
        }
    }

    /// A resolved target set.
    struct ResolvedTargets {
        /// The campaign IDs in order, duplicates kept.
        var ids: [Int64] = []
        /// True when the set was one scalar (an ID, a record): the command yields one value, not a list.
        var isSingle = false
        /// True when an ID is unknown because it comes from a planned (dry-run) statement.
        var hasPlannedUnknown = false
    }

    /// Campaign IDs from a target set: integers, ranges, numeric strings, records (their `id`)
    /// and lists of any of those.
    func resolve(_ targets: Targets) async throws -> ResolvedTargets {
        var resolved = ResolvedTargets()
        var scalar = targets.items.count == 1
        for item in targets.items {
            switch item.kind {
            case .id(let id): resolved.ids.append(id.value)
            case .range(let low, let high):
                scalar = false
                resolved.ids += Array(low.value...high.value)
            case .variable(let expression):
                let value = try await evaluate(expression)
                if case .list = value { scalar = false }
                try collectIDs(value, into: &resolved, at: item.range)
            case .command(let command):
                let value = try await run(command, display: false)
                if case .list = value { scalar = false }
                try collectIDs(value, into: &resolved, at: item.range)
            }
        }
        resolved.isSingle = scalar && resolved.ids.count == 1
        for id in resolved.ids where id < 1 {
            throw fail(.invalidCampaignID(id), at: targets.range)
        }
        return resolved
    }

    func collectIDs(_ value: Value, into resolved: inout ResolvedTargets, at range: SourceRange) throws {
        switch value {
        case .int(let id): resolved.ids.append(id)
        case .string(let text):
            guard let id = Int64(text.filter { $0 != "_" }) else {
                throw fail(.notACampaignID(value: value.literalText), at: range)
            }
            resolved.ids.append(id)
        case .list(let items):
            for item in items { try collectIDs(item, into: &resolved, at: range) }
        case .record(let record):
            if record.isPlanned, record["id"] == nil || record["id"] == .null {
                resolved.hasPlannedUnknown = true
                return
            }
            guard let id = record["id"] else { throw fail(.notACampaignID(value: "a record without 'id'"), at: range) }
            try collectIDs(id, into: &resolved, at: range)
        case .null where settings.dryRun:
            resolved.hasPlannedUnknown = true
        default:
            throw fail(.notACampaignID(value: value.literalText), at: range)
        }
    }
}
