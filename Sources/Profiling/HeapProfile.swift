#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A jemalloc heap profile (`heap_v2` text, as written by `prof.dump`), parsed.
///
/// The counts are jemalloc's *sampled* counts: on average one allocation per
/// ``sampleIntervalBytes`` bytes is recorded with its stack. ``Counts/estimate(interval:)`` scales
/// them up the way `jeprof` does (an allocation of size s is sampled with probability
/// `1 − exp(−s / interval)`).
///
/// ```
/// heap_v2/524288
///   t*: 28106: 56637512 [0: 0]          ← totals: live objects: live bytes [allocated objects: bytes]
///   t3: 352: 16777344 [0: 0]            ← per thread (ignored)
/// @ 0x7f1a… 0x55d2… 0x55d2…             ← a sampled stack, innermost first (return addresses)
///   t*: 13: 6688 [0: 0]
///
/// MAPPED_LIBRARIES:
/// 55d2…-55d2… r-xp 00001000 fe:00 16220893   /path/to/phibench    ← /proc/self/maps at dump time
/// ```
package struct HeapProfile: Sendable, Codable, Equatable {
    /// The four figures of the whole heap or of one stack: allocations still live at dump time and
    /// their bytes, and allocations since profiling was reset (freed or not; zero unless the process
    /// ran with `prof_accum:true`) and their bytes. Sampled, they are ``Counts``; scaled up to the
    /// real figures, an ``Estimate``.
    package struct Figures<Number: Numeric & Sendable & Codable>: Sendable, Codable, Equatable {
        package var liveObjects: Number
        package var liveBytes: Number
        package var allocatedObjects: Number
        package var allocatedBytes: Number

        package init(liveObjects: Number = 0, liveBytes: Number = 0, allocatedObjects: Number = 0, allocatedBytes: Number = 0) {
            self.liveObjects = liveObjects
            self.liveBytes = liveBytes
            self.allocatedObjects = allocatedObjects
            self.allocatedBytes = allocatedBytes
        }

        static func + (a: Figures, b: Figures) -> Figures {
            Figures(liveObjects: a.liveObjects + b.liveObjects, liveBytes: a.liveBytes + b.liveBytes,
                    allocatedObjects: a.allocatedObjects + b.allocatedObjects,
                    allocatedBytes: a.allocatedBytes + b.allocatedBytes)
        }
    }

    /// Sampled counts of one stack (or of the whole heap).
    package typealias Counts = Figures<UInt64>
    /// Estimated real counts (see ``Counts/estimate(interval:)``).
    package typealias Estimate = Figures<Double>

    /// One sampled allocation stack.
    package struct Record: Sendable, Codable, Equatable {
        /// Code addresses, innermost first: jemalloc's own frames, then the allocating code.
        package var addresses: [UInt64]
        package var counts: Counts

        package init(addresses: [UInt64], counts: Counts) {
            self.addresses = addresses
            self.counts = counts
        }
    }

    /// One line of the process's memory map at dump time.
    package struct Mapping: Sendable, Codable, Equatable {
        package var start: UInt64
        package var end: UInt64
        /// Offset in the mapped file, bytes.
        package var offset: UInt64
        package var permissions: String
        package var path: String

        package init(start: UInt64, end: UInt64, offset: UInt64, permissions: String, path: String) {
            self.start = start
            self.end = end
            self.offset = offset
            self.permissions = permissions
            self.path = path
        }
    }

    /// Mean bytes between samples (`2^lg_prof_sample`).
    package var sampleIntervalBytes: UInt64
    /// Sampled counts over the whole heap.
    package var totals: Counts
    /// Sampled stacks, in file order.
    package var records: [Record]
    /// File-backed mappings of the process at dump time.
    package var mappings: [Mapping]

    package init(sampleIntervalBytes: UInt64, totals: Counts, records: [Record], mappings: [Mapping]) {
        self.sampleIntervalBytes = sampleIntervalBytes
        self.totals = totals
        self.records = records
        self.mappings = mappings
    }

    /// Reads and parses a heap profile file.
    /// - Throws: ``ProfilerError/system(call:errno:)`` when the file cannot be read,
    ///   ``ProfilerError/heapProfileFormat(line:reason:)`` when it is not a `heap_v2` profile.
    package init(contentsOf path: String) throws(ProfilerError) {
        try self.init(parsing: try readTextFile(path))
    }

    /// Parses `heap_v2` text.
    /// - Throws: ``ProfilerError/heapProfileFormat(line:reason:)`` naming the first bad line.
    package init(parsing text: String) throws(ProfilerError) {
        var interval: UInt64?
        var totals = Counts()
        var records: [Record] = []
        var mappings: [Mapping] = []
        var inMappings = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop(while: { $0 == " " })
            if line.isEmpty { continue }
            if inMappings {
                if let mapping = Self.mapping(line) { mappings.append(mapping) }
                continue
            }
            if interval == nil {
                guard line.hasPrefix("heap_v2/"), let value = UInt64(line.dropFirst(8)), value > 0 else {
                    throw .heapProfileFormat(line: lineNumber, reason: "expected a heap_v2/<interval> header, found \"\(line.prefix(40))\"")
                }
                interval = value
            } else if line.hasPrefix("@") {
                var addresses: [UInt64] = []
                for word in line.dropFirst().split(separator: " ") {
                    guard word.hasPrefix("0x"), let address = UInt64(word.dropFirst(2), radix: 16) else {
                        throw .heapProfileFormat(line: lineNumber, reason: "bad address \"\(word)\" in a stack line")
                    }
                    addresses.append(address)
                }
                records.append(Record(addresses: addresses, counts: Counts()))
            } else if line.hasPrefix("t*:") {
                guard let counts = Self.counts(line.dropFirst(3)) else {
                    throw .heapProfileFormat(line: lineNumber, reason: "expected \"t*: objects: bytes [objects: bytes]\"")
                }
                if records.isEmpty { totals = counts } else { records[records.count - 1].counts = counts }
            } else if line.hasPrefix("t") {
                continue  // per-thread counts; the t* line already sums them
            } else if line.hasPrefix("MAPPED_LIBRARIES:") {
                inMappings = true
            } else {
                throw .heapProfileFormat(line: lineNumber, reason: "unexpected line \"\(line.prefix(40))\"")
            }
        }
        guard let interval else { throw .heapProfileFormat(line: 1, reason: "empty file; expected a heap_v2 header") }
        self.init(sampleIntervalBytes: interval, totals: totals, records: records, mappings: mappings)
    }

    /// `" 13: 6688 [2: 1024]"` → counts.
    private static func counts(_ text: Substring) -> Counts? {
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "[" || $0 == "]" })
        guard numbers.count == 4 else { return nil }
        let values = numbers.compactMap { UInt64($0) }
        guard values.count == 4 else { return nil }
        return Counts(liveObjects: values[0], liveBytes: values[1], allocatedObjects: values[2], allocatedBytes: values[3])
    }

    /// A `/proc/self/maps` line with a path, or nil.
    private static func mapping(_ line: Substring) -> Mapping? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
              let offset = UInt64(fields[2], radix: 16) else { return nil }
        let path = fields[5].drop(while: { $0 == " " })
        guard path.hasPrefix("/") else { return nil }
        return Mapping(start: start, end: end, offset: offset, permissions: String(fields[1]), path: String(path))
    }
}

/// The contents of a text file.
func readTextFile(_ path: String) throws(ProfilerError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system(call: "open(\(path))", errno: errno) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw .system(call: "read(\(path))", errno: errno)
        }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension HeapProfile.Figures where Number == UInt64 {
    /// Unbiased estimates of the real counts for a mean sampling interval of `interval` bytes.
    package func estimate(interval: UInt64) -> HeapProfile.Estimate {
        func scaled(_ objects: UInt64, _ bytes: UInt64) -> (Double, Double) {
            guard objects > 0, interval > 0 else { return (Double(objects), Double(bytes)) }
            let meanSize = Double(bytes) / Double(objects)
            let scale = 1 / (1 - exp(-meanSize / Double(interval)))
            return (Double(objects) * scale, Double(bytes) * scale)
        }
        let live = scaled(liveObjects, liveBytes)
        let allocated = scaled(allocatedObjects, allocatedBytes)
        return HeapProfile.Estimate(liveObjects: live.0, liveBytes: live.1, allocatedObjects: allocated.0, allocatedBytes: allocated.1)
    }
}
