import Foundation

/// The kernel's name of the thread running the caller (Linux: `/proc/thread-self/comm`): where
/// a task is at this moment. A function, as `Thread.current` is not for async code, and
/// Foundation's `Thread.name` is not the kernel's name on Linux.
public func currentThreadName() -> String {
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return comm.trimmingCharacters(in: .newlines)
}

/// Names the calling thread in the kernel (at most 15 bytes are kept).
public func nameCurrentThread(_ name: String) {
    try? Data(name.utf8).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
}
