/// A hot-tier state: packed metadata and the embedding payload, ready to decode without I/O.
struct HotEntry {
    /// ``RecordCodec`` bytes then ``PayloadCodec`` bytes (uncompressed), in one buffer: one
    /// allocation per state stored. A new content's pending write shares it rather than copying.
    var bytes: [UInt8]
    var recordLength: Int
    var slot: UInt32
    /// Logical time of the last store or read.
    var lastAccess: UInt64

    init(bytes: [UInt8], recordLength: Int, slot: UInt32, lastAccess: UInt64) {
        self.bytes = bytes
        self.recordLength = recordLength
        self.slot = slot
        self.lastAccess = lastAccess
    }

    /// An entry made of a separate record and payload (a state promoted from the warm tier).
    init(record: [UInt8], slot: UInt32, payload: [UInt8], lastAccess: UInt64) {
        self.init(bytes: record + payload, recordLength: record.count, slot: slot, lastAccess: lastAccess)
    }

    var record: ArraySlice<UInt8> { bytes[..<recordLength] }
    var payload: ArraySlice<UInt8> { bytes[recordLength...] }

    /// Heap bytes this entry keeps alive (array header and storage).
    var heapBytes: Int { 32 + bytes.capacity }
}

/// An LRU list keyed by state id: a dictionary into arrays of nodes linked by index, so a touch
/// is a hash lookup and four index writes, with no allocation once the node arrays have grown.
struct LRUList<Value> {
    private var position: [StateKey: Int32] = [:]
    private var keys: [UInt64] = []
    private var values: [Value?] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var free: [Int32] = []
    /// Most recently used node, or -1.
    private var head: Int32 = -1
    /// Least recently used node, or -1.
    private var tail: Int32 = -1

    var count: Int { position.count }

    func contains(_ key: UInt64) -> Bool { position[StateKey(key)] != nil }

    /// Inserts `value` as the most recently used (or, with `asOldest`, the least recently used).
    mutating func insert(_ key: UInt64, _ value: Value, asOldest: Bool = false) {
        precondition(position[StateKey(key)] == nil, "state \(key) is already hot")
        let n: Int32
        if let f = free.popLast() {
            n = f
            keys[Int(n)] = key
            values[Int(n)] = value
        } else {
            n = Int32(keys.count)
            keys.append(key)
            values.append(value)
            prev.append(-1)
            next.append(-1)
        }
        position[StateKey(key)] = n
        if asOldest { linkTail(n) } else { linkHead(n) }
    }

    /// Lets `body` change the entry for `key` and marks it most recently used.
    mutating func touch<R>(_ key: UInt64, _ body: (inout Value) -> R) -> R? {
        guard let n = position[StateKey(key)] else { return nil }
        unlink(n)
        linkHead(n)
        return body(&values[Int(n)]!)
    }

    /// The least recently used entry.
    var oldest: (key: UInt64, value: Value)? {
        tail < 0 ? nil : (keys[Int(tail)], values[Int(tail)]!)
    }

    @discardableResult
    mutating func remove(_ key: UInt64) -> Value? {
        guard let n = position.removeValue(forKey: StateKey(key)) else { return nil }
        unlink(n)
        let v = values[Int(n)]
        values[Int(n)] = nil
        free.append(n)
        return v
    }

    /// Heap bytes of the dictionary and node arrays (entries' own heap not included).
    var residentBytes: Int {
        // Swift's native dictionary: one bit of occupancy plus key and value per bucket.
        let buckets = position.capacity == 0 ? 0 : (position.capacity * 4 + 2) / 3
        return 32 + buckets * (8 + 4) + buckets / 8
            + 32 + keys.capacity * 8 + 32 + values.capacity * MemoryLayout<Value?>.stride
            + 64 + (prev.capacity + next.capacity) * 4 + 32 + free.capacity * 4
    }

    private mutating func unlink(_ n: Int32) {
        let p = prev[Int(n)], x = next[Int(n)]
        if p >= 0 { next[Int(p)] = x } else { head = x }
        if x >= 0 { prev[Int(x)] = p } else { tail = p }
        prev[Int(n)] = -1
        next[Int(n)] = -1
    }

    private mutating func linkHead(_ n: Int32) { Self.link(n, end: &head, otherEnd: &tail, outward: &next, inward: &prev) }

    private mutating func linkTail(_ n: Int32) { Self.link(n, end: &tail, otherEnd: &head, outward: &prev, inward: &next) }

    /// Links node `n` at `end` (the head, whose outward neighbour is `next`; or the mirror image, the
    /// tail with `prev`), and makes it the other end too when the list was empty.
    @inline(__always)
    private static func link(_ n: Int32, end: inout Int32, otherEnd: inout Int32, outward: inout [Int32], inward: inout [Int32]) {
        outward[Int(n)] = end
        inward[Int(n)] = -1
        if end >= 0 { inward[Int(end)] = n }
        end = n
        if otherEnd < 0 { otherEnd = n }
    }
}
