import CEditLine
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Set by the SIGINT handler; read after `el_gets` returns. A global so the C handler can
/// reach it without capturing anything.
let interruptPending = Atomic<Bool>(false)
/// The thread inside `el_gets`, or 0. A process-directed SIGINT lands on any thread that does
/// not block it (Swift's thread pool has several); only on the reading thread does it make
/// `read()` fail with EINTR so that `el_gets` returns. The handler forwards it there.
let readingThread = Atomic<UInt>(0)

/// Reads lines with libedit: emacs keys, history with Up/Down and Ctrl-R, Tab completion,
/// UTF-8 input, Ctrl-C clearing the line, Ctrl-D on an empty line ending input.
///
/// Use only when stdin and (stdout or stderr) are terminals; see `EditLineReader.make`.
public final class EditLineReader: LineReader {
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var promptBuffer: UnsafeMutablePointer<CChar>?
    /// Completions for the text before the cursor; the last word is replaced.
    public var completer: (_ lineBeforeCursor: String) -> CompletionResult = { _ in CompletionResult(word: "", candidates: []) }
    /// Where listings of several completions are written (the editor's output stream).
    private let output: UnsafeMutablePointer<FILE>

    public var isInteractive: Bool { true }

    /// A libedit reader when a person is at a terminal and libedit loads, else nil.
    public static func make(programName: String, history entries: [String] = []) -> EditLineReader? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 || isatty(STDERR_FILENO) == 1 else { return nil }
        // Loaded here, not at start: scripts and one-shot runs never pay for it.
        guard cedit_load() == 0 else { return nil }
        return EditLineReader(programName: programName, history: entries)
    }

    init(programName: String, history entries: [String]) {
        TerminalLocale.ensureUTF8()
        Self.installInterruptHandler()
        // Prompt and editing stay on the terminal when stdout is piped (`cops | tee log`).
        output = isatty(STDOUT_FILENO) == 1 ? cedit_stdout() : cedit_stderr()
        editor = cedit_init(programName, cedit_stdin(), output, cedit_stderr())
        history = cedit_history_init()
        cedit_hist_setsize(history, Int32(max(entries.count, 1000)))
        cedit_hist_setunique(history, 1)
        for entry in entries { cedit_hist_enter(history, entry) }
        cedit_set_editor(editor, "emacs")
        cedit_set_signal(editor, 1)
        cedit_set_history(editor, history)
        cedit_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        cedit_set_prompt_esc(
            editor,
            { editor in
                guard let editor, let reader = EditLineReader.from(editor) else { return nil }
                return reader.promptBuffer
            }, 1)
        // Read ~/.editrc first, so our Tab binding wins over a user's.
        cedit_source(editor, nil)
        cedit_addfn(
            editor, "cops-complete", "Complete the word before the cursor",
            { editor, _ in
                guard let editor, let reader = EditLineReader.from(editor) else { return UInt8(CC_ERROR) }
                return reader.complete(editor)
            })
        cedit_bind(editor, "^I", "cops-complete")
    }

    deinit {
        free(promptBuffer)
        cedit_history_end(history)
        cedit_end(editor)
    }

    static func from(_ editor: OpaquePointer) -> EditLineReader? {
        guard let raw = cedit_get_clientdata(editor) else { return nil }
        return Unmanaged<EditLineReader>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Our handler only sets a flag; libedit's own handler restores the terminal first.
    public static func installInterruptHandler() {
        // Initialise the globals outside the handler.
        _ = interruptPending.load(ordering: .relaxed)
        _ = readingThread.load(ordering: .relaxed)
        var action = sigaction()
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        action.__sigaction_handler.sa_handler = { _ in
            interruptPending.store(true, ordering: .relaxed)
            let reader = readingThread.load(ordering: .relaxed)
            if reader != 0, reader != UInt(pthread_self()) { pthread_kill(pthread_t(reader), SIGINT) }
        }
        sigaction(SIGINT, &action, nil)
    }

    public func readLine(prompt: String) -> LineReadResult {
        free(promptBuffer)
        promptBuffer = strdup(prompt)
        interruptPending.store(false, ordering: .relaxed)
        var count: Int32 = 0
        // Swift's pool threads (libdispatch workers) block SIGINT; unblock it here while
        // reading, so Ctrl-C interrupts `read()` and `el_gets` returns.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &interrupt, &previousMask)
        readingThread.store(UInt(pthread_self()), ordering: .relaxed)
        let line = cedit_gets(editor, &count)
        let savedErrno = errno
        readingThread.store(0, ordering: .relaxed)
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        if interruptPending.exchange(false, ordering: .relaxed) || (line == nil && count == -1 && savedErrno == EINTR) {
            fputs("^C\n", output)
            return .interrupted
        }
        guard let line else {
            fputs("\n", output)
            return .endOfInput
        }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return .line(text)
    }

    public func addToHistory(_ entry: String) {
        cedit_hist_enter(history, entry)
    }

    public func replaceHistory(_ entries: [String]) {
        cedit_hist_clear(history)
        for entry in entries { cedit_hist_enter(history, entry) }
    }

    /// Bytes still waiting in the terminal's input queue are pasted or typed-ahead text; they
    /// are dropped before a confirmation is read, so a paste cannot answer it.
    public func discardTypeAhead() -> Int {
        var pending: Int32 = 0
        _ = ioctl(STDIN_FILENO, UInt(FIONREAD), &pending)
        tcflush(STDIN_FILENO, TCIFLUSH)
        return Int(pending)
    }

    /// Whether Ctrl-C was pressed since the last call (while a statement runs, the prompt polls
    /// this to cancel it; the handler itself may only set a flag).
    public static func takeInterrupt() -> Bool {
        interruptPending.exchange(false, ordering: .relaxed)
    }

    /// Candidates laid out in columns as wide as the terminal allows.
    static func columns(_ items: [String]) -> String {
        var size = winsize()
        let width = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        let cell = (items.map(\.count).max() ?? 0) + 2
        let perLine = max(1, width / max(cell, 1))
        var lines: [String] = []
        var line = ""
        for (index, item) in items.enumerated() {
            line +=
                index % perLine == perLine - 1 || index == items.count - 1
                ? item : item + String(repeating: " ", count: max(0, cell - item.count))
            if index % perLine == perLine - 1 {
                lines.append(line)
                line = ""
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    private func complete(_ editor: OpaquePointer) -> UInt8 {
        guard let info = cedit_line(editor)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let before = buffer.withMemoryRebound(to: UInt8.self, capacity: cursor - buffer) {
            String(decoding: UnsafeBufferPointer(start: $0, count: cursor - buffer), as: UTF8.self)
        }
        let result = completer(before)
        let word = result.word
        let matches = result.candidates.filter { $0.text.hasPrefix(word) }
        if matches.isEmpty { return UInt8(CC_REFRESH_BEEP) }
        if matches.count == 1 {
            cedit_insertstr(editor, String(matches[0].text.dropFirst(word.count)) + " ")
            return UInt8(CC_REFRESH)
        }
        let common = matches.dropFirst().reduce(matches[0].text) { prefix, match in
            String(zip(prefix, match.text).prefix { $0 == $1 }.map(\.0))
        }
        if common.count > word.count {
            cedit_insertstr(editor, String(common.dropFirst(word.count)))
            return UInt8(CC_REFRESH)
        }
        fputs("\n" + Self.columns(matches.map(\.display)) + "\n", output)
        return UInt8(CC_REDISPLAY)
    }
}

/// libedit drops non-ASCII input unless the locale is UTF-8 before `el_init`.
public enum TerminalLocale {
    @discardableResult
    public static func ensureUTF8() -> String {
        setlocale(LC_ALL, "")
        var codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        if codeset != "UTF-8" {
            if setlocale(LC_CTYPE, "C.UTF-8") == nil { setlocale(LC_CTYPE, "en_US.UTF-8") }
            codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        }
        return codeset
    }
}
