#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchModel
import CSpawn

/// One child process with its stdin and stdout as pipes and its stderr appended to a log file.
///
/// Spawned with `posix_spawn` directly rather than Foundation's `Process` or swift-subprocess:
/// the hot path needs the raw pipe descriptors on the harness's own worker thread (a blocking
/// write, then `poll` with the episode's deadline and `read`) with no thread hop, which
/// swift-subprocess (async only) does not offer; and the spawn must be exact about what the child
/// inherits: every descriptor is close-on-exec except the three it gets, SIGINT/SIGTERM/SIGPIPE
/// are reset to their defaults (phibench ignores them itself, and ignored signals survive `exec`,
/// so a child would otherwise shrug off the SIGTERM of the shutdown), and it runs in its own
/// process group so a terminal's Ctrl-C reaches phibench, which then shuts the children down in
/// order. Reaping is ours too (`waitpid`), with no second reaper racing us.
final class ChildProcess {
    let pid: pid_t
    /// Our ends: we write the child's stdin, read its stdout.
    private(set) var input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    /// What one `read` fills, allocated once (no zeroing per read).
    private var scratch = [UInt8](repeating: 0, count: 16_384)
    private(set) var exitStatus: Int32?
    let logPath: String

    /// Longest reply line accepted (a longer one is a protocol violation, not a memory problem).
    static let maxLineBytes = 1 << 20

    /// Starts `argv` in `directory`, stderr appended to `logPath`.
    /// - Throws: ``SpawnError`` naming what failed (pipe, log file, spawn: e.g. no such program).
    init(argv: [String], directory: String, logPath: String) throws(SpawnError) {
        self.logPath = logPath
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard cspawn_pipe_cloexec(&toChild) == 0 else { throw SpawnError("pipe: \(errnoText())") }
        guard cspawn_pipe_cloexec(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SpawnError("pipe: \(errnoText())")
        }
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            [toChild[0], toChild[1], fromChild[0], fromChild[1]].forEach { _ = close($0) }
            throw SpawnError("cannot open \(logPath): \(errnoText())")
        }
        defer {
            // The child's ends and the log belong to the child alone once it is spawned.
            close(toChild[0]); close(fromChild[1]); close(log)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the target, so exactly these three survive exec.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        guard cspawn_addchdir(&actions, directory) == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SpawnError("cannot prepare the child's working directory \(directory)")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var child: pid_t = 0
        // posix_spawnp searches PATH for a bare name, as a shell would; a name with a slash is
        // taken relative to `directory` (the chdir action runs first).
        let rc = posix_spawnp(&child, argv[0], &actions, &attributes, &cArgs, environ)
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SpawnError("cannot start `\(argv[0])` in \(directory): \(String(cString: strerror(rc)))")
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        buffer.reserveCapacity(4096)
    }

    deinit {
        if input >= 0 { close(input) }
        close(output)
        if exitStatus == nil { kill(pid, SIGKILL); _ = reap(blocking: true) }
    }

    /// Writes `bytes` whole. False when the child's end is gone (it died or closed stdin).
    func write(_ bytes: [UInt8]) -> Bool {
        guard input >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// What reading a line gave.
    enum Line {
        case line(ArraySlice<UInt8>)
        /// The child closed stdout (usually: it exited).
        case end
        case timeout
        /// A line longer than ``maxLineBytes``.
        case tooLong
    }

    /// The next `\n`-terminated line (without the newline), waiting until `deadline` (monotonic ns).
    /// Blocks in `poll`, never spins. The slice is valid until the next call.
    func readLine(deadline: UInt64) -> Line {
        // Drop what the previous call consumed, without reallocating.
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var scanned = 0
        while true {
            if let nl = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                start = nl + 1
                return .line(buffer[0..<nl])
            }
            scanned = buffer.count
            if buffer.count > Self.maxLineBytes { return .tooLong }
            let now = monotonicNanoseconds()
            guard now < deadline else { return .timeout }
            var fds = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let waitMs = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            let ready = poll(&fds, 1, waitMs)
            if ready < 0 {
                if errno == EINTR { continue }
                return .end
            }
            if ready == 0 { continue }
            let n = scratch.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
            if n == 0 { return .end }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .end
            }
            buffer.append(contentsOf: scratch[0..<n])
        }
    }

    /// Closes the child's stdin (end of the session).
    func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// Collects the exit status if the child has exited (or waits for it when `blocking`).
    @discardableResult
    func reap(blocking: Bool) -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if r == pid {
                exitStatus = status
                return status
            }
            if r < 0 && errno == EINTR { continue }
            if r < 0 {
                // Not our child any more (reaped elsewhere): treat as gone.
                exitStatus = -1
                return -1
            }
            return nil
        }
    }

    /// Waits up to `seconds` for the child to exit. Polls `waitpid` every 5 ms: used only when a
    /// child is being stopped, never per episode.
    func waitForExit(seconds: Double) -> Bool {
        let end = monotonicNanoseconds() &+ UInt64(seconds * 1e9)
        while reap(blocking: false) == nil {
            if monotonicNanoseconds() >= end { return false }
            var ts = timespec(tv_sec: 0, tv_nsec: 5_000_000)
            nanosleep(&ts, nil)
        }
        return true
    }

    /// The documented end: close stdin; SIGTERM after `grace` seconds; SIGKILL `grace` seconds later.
    func stop(grace: Double = 2) {
        closeInput()
        if waitForExit(seconds: grace) { return }
        kill(pid, SIGTERM)
        if waitForExit(seconds: grace) { return }
        kill(pid, SIGKILL)
        reap(blocking: true)
    }

    /// Kills at once (a hung or misbehaving child) and reaps it.
    func kill9() {
        kill(pid, SIGKILL)
        reap(blocking: true)
        closeInput()
    }

    /// How the child ended, in words: `exited with status 3`, `killed by signal 9 (SIGKILL)`.
    var exitDescription: String {
        guard let s = exitStatus else { return "still running" }
        if s == -1 { return "exit status unknown" }
        let signal = s & 0x7f
        if signal == 0 { return "exited with status \((s >> 8) & 0xff)" }
        let name = String(cString: strsignal(signal))
        return "killed by signal \(signal) (\(name))"
    }

    /// The last `count` non-empty lines of the child's log (its stderr), for an error message.
    func lastLogLines(_ count: Int = 5) -> [String] {
        Self.tail(of: logPath, lines: count)
    }

    static func tail(of path: String, lines count: Int) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        let want = min(Int(size), 4096)
        guard want > 0 else { return [] }
        lseek(fd, off_t(Int(size) - want), SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: want)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress!, want) }
        guard n > 0 else { return [] }
        let text = String(decoding: bytes[0..<n], as: UTF8.self)
        let all = text.split(separator: "\n").map { String($0) }.filter { !$0.hasPrefix("--- phibench:") }
        return Array(all.suffix(count))
    }
}

/// Why a child could not be started.
struct SpawnError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func errnoText() -> String { String(cString: strerror(errno)) }
