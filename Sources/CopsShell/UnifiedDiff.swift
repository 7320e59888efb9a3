/// The unified diff `cops fmt --diff` prints, as `diff -u` writes it: `--- a/FILE`,
/// `+++ b/FILE`, then hunks with three lines of context (GNU's headers: a count of one is left
/// out, an empty side starts at the line before it) and `\ No newline at end of file` after a
/// last line that has none. Lines are matched by Myers's O((N+M)D) algorithm, keeping only
/// the diagonals each step reached, so memory grows with the size of the change, not the file's.
enum UnifiedDiff {
    private enum Edit: Equatable {
        case same(old: Int, new: Int)
        case removed(old: Int)
        case added(new: Int)
    }

    /// The diff of two texts, or "" when they are equal.
    static func diff(from old: String, to new: String, name: String, context: Int = 3) -> String {
        let before = lines(old)
        let after = lines(new)
        let edits = edits(before, after)
        let changed = edits.indices.filter {
            if case .same = edits[$0] { return false }
            return true
        }
        guard let firstChange = changed.first else { return "" }
        // Changes closer than two contexts share a hunk, as their contexts would overlap.
        var hunks: [ClosedRange<Int>] = []
        var start = firstChange
        var end = firstChange
        for index in changed.dropFirst() {
            if index - end > 2 * context {
                hunks.append(start...end)
                start = index
            }
            end = index
        }
        hunks.append(start...end)

        // As git writes them: an absolute path gets the prefix without a second slash
        // (`a/tmp/x.cops`), so `patch -p1` finds the same file either way.
        let path = name.hasPrefix("/") ? String(name.dropFirst()) : name
        var text = "--- a/\(path)\n+++ b/\(path)\n"
        for hunk in hunks {
            let shown = edits[max(0, hunk.lowerBound - context)...min(edits.count - 1, hunk.upperBound + context)]
            // Lines of each side before the hunk: the `same` and `removed` (or `added`) edits before it.
            let oldBefore = edits[..<shown.startIndex].filter { if case .added = $0 { false } else { true } }.count
            let newBefore = edits[..<shown.startIndex].filter { if case .removed = $0 { false } else { true } }.count
            let oldCount = shown.filter { if case .added = $0 { false } else { true } }.count
            let newCount = shown.filter { if case .removed = $0 { false } else { true } }.count
            text += "@@ -\(range(oldBefore, oldCount)) +\(range(newBefore, newCount)) @@\n"
            for edit in shown {
                switch edit {
                case .same(let index, _): text += line(" ", before[index])
                case .removed(let index): text += line("-", before[index])
                case .added(let index): text += line("+", after[index])
                }
            }
        }
        return text
    }

    /// `start,count` in GNU's form.
    private static func range(_ linesBefore: Int, _ count: Int) -> String {
        switch count {
        case 0: "\(linesBefore),0"
        case 1: "\(linesBefore + 1)"
        default: "\(linesBefore + 1),\(count)"
        }
    }

    private static func line(_ marker: String, _ text: Substring) -> String {
        text.last == "\n" ? marker + text : marker + text + "\n\\ No newline at end of file\n"
    }

    /// The lines with their `\n`, so a last line without one differs from the same text with one.
    private static func lines(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        for index in text.indices where text[index] == "\n" {
            let next = text.index(after: index)
            result.append(text[start..<next])
            start = next
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    /// The shortest edit script from `a` to `b` (Myers 1986), in order.
    private static func edits(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        let n = a.count
        let m = b.count
        let offset = n + m + 1
        var furthest = [Int](repeating: 0, count: 2 * offset + 1)
        // trace[d]: the furthest x on diagonals -d...d before step d.
        var trace: [[Int]] = []
        search: for d in 0...(n + m) {
            trace.append(Array(furthest[(offset - d)...(offset + d)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x =
                    k == -d || (k != d && furthest[offset + k - 1] < furthest[offset + k + 1])
                    ? furthest[offset + k + 1] : furthest[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                furthest[offset + k] = x
                if x >= n && y >= m { break search }
            }
        }
        var result: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let reached = trace[d]
            let k = x - y
            let previousK =
                k == -d || (k != d && reached[d + k - 1] < reached[d + k + 1]) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : reached[d + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > max(previousY, 0) {
                result.append(.same(old: x - 1, new: y - 1))
                x -= 1
                y -= 1
            }
            if d > 0 {
                result.append(x == previousX ? .added(new: y - 1) : .removed(old: x - 1))
                x = previousX
                y = previousY
            }
        }
        return result.reversed()
    }
}
