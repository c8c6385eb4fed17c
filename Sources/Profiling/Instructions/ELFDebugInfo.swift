/// What valgrind needs to know about an executable before it loads it: the DWARF versions of its
/// debug information (valgrind 3.19 cannot read the DWARF 5 that clang emits for C and C++ code and
/// gives up on the whole binary) and its GNU build ID (which build a count belongs to).
package struct ELFDebugInfo: Sendable, Equatable {
    /// Compile units in `.debug_info` by DWARF version.
    package var compileUnitsByVersion: [Int: Int]
    /// True when `.debug_info` is compressed (`SHF_COMPRESSED`), so its versions could not be read.
    package var compressed: Bool
    /// The GNU build ID as lowercase hex, if the file has one.
    package var buildID: String?

    /// Whether valgrind 3.19 can read this file's debug information: no DWARF 5 units, nothing
    /// compressed that might hide some.
    package var valgrindReadable: Bool {
        !compressed && compileUnitsByVersion.keys.allSatisfy { $0 <= 4 }
    }

    /// A short account for reports, e.g. `DWARF 4: 4512 units, DWARF 5: 269 units`.
    package var summary: String {
        if compressed { return "compressed debug info" }
        if compileUnitsByVersion.isEmpty { return "no debug info" }
        return compileUnitsByVersion.keys.sorted().map { "DWARF \($0): \(compileUnitsByVersion[$0]!) units" }
            .joined(separator: ", ")
    }

    /// Reads the ELF file at `path`.
    /// - Throws: ``InstructionCountError/unreadableBinary(path:reason:)`` when it cannot be opened
    ///   or is not a 64-bit little-endian ELF file.
    package init(path: String) throws(InstructionCountError) {
        let read: ELFDebugInfo?
        do { read = try ELFImage.withFile(at: path) { Self.parse($0) } } catch {
            throw .unreadableBinary(path: path, reason: error.description)
        }
        guard let parsed = read else {
            throw .unreadableBinary(path: path, reason: "not a 64-bit little-endian ELF file, or its section headers are damaged")
        }
        self = parsed
    }

    init(compileUnitsByVersion: [Int: Int], compressed: Bool, buildID: String?) {
        self.compileUnitsByVersion = compileUnitsByVersion
        self.compressed = compressed
        self.buildID = buildID
    }

    static func parse(_ file: UnsafeRawBufferPointer) -> ELFDebugInfo? {
        guard let elf = ELFImage(file) else { return nil }

        let headers = Int(clamping: elf.u64(40)), headerSize = elf.u16(58), count = elf.u16(60), namesIndex = elf.u16(62)
        guard headers > 0, headerSize >= 64, namesIndex < count,
              headers <= file.count, count * headerSize <= file.count - headers else { return nil }
        struct Section { var name: String; var offset: Int; var size: Int; var flags: UInt64 }
        func raw(_ index: Int) -> (name: Int, offset: Int, size: Int, flags: UInt64)? {
            let h = headers + index * headerSize
            let offset = Int(clamping: elf.u64(h + 24)), size = Int(clamping: elf.u64(h + 32))
            let nobits = elf.u32(h + 4) == 8  // SHT_NOBITS occupies no file space
            guard nobits || (offset <= file.count && size <= file.count - offset) else { return nil }
            return (Int(elf.u32(h)), offset, nobits ? 0 : size, elf.u64(h + 8))
        }
        guard let names = raw(namesIndex) else { return nil }
        var sections: [Section] = []
        for index in 0..<count {
            guard let s = raw(index) else { return nil }
            guard s.name < names.size else { continue }
            let name = elf.string(at: names.offset + s.name, end: names.offset + names.size)
            sections.append(Section(name: name, offset: s.offset, size: s.size, flags: s.flags))
        }

        var versions: [Int: Int] = [:]
        var compressed = false
        if let info = sections.first(where: { $0.name == ".debug_info" }) {
            if info.flags & 0x800 != 0 {  // SHF_COMPRESSED
                compressed = true
            } else {
                // Each unit: a 4-byte length (0xffffffff: a 64-bit length follows), then a 2-byte version.
                var at = info.offset
                let end = info.offset + info.size
                while at + 6 <= end {
                    var length = UInt64(elf.u32(at)), header = 4
                    if length == 0xFFFF_FFFF {
                        guard at + 14 <= end else { break }
                        length = elf.u64(at + 4)
                        header = 12
                    }
                    versions[elf.u16(at + header), default: 0] += 1
                    guard length <= UInt64(end - at - header) else { break }
                    at += header + Int(length)
                }
            }
        } else if sections.contains(where: { $0.name == ".zdebug_info" }) {
            compressed = true
        }

        var buildID: String?
        if let note = sections.first(where: { $0.name == ".note.gnu.build-id" }), note.size >= 16 {
            // Note header: name size, descriptor size, type (3 = NT_GNU_BUILD_ID), then "GNU\0" and the ID.
            let nameSize = Int(elf.u32(note.offset)), descriptorSize = Int(elf.u32(note.offset + 4))
            let descriptor = note.offset + 12 + ((nameSize + 3) & ~3)
            if elf.u32(note.offset + 8) == 3, descriptorSize <= 64, descriptor + descriptorSize <= note.offset + note.size {
                let hex: [Character] = Array("0123456789abcdef")
                buildID = String((0..<descriptorSize).flatMap { i -> [Character] in
                    let byte = file[descriptor + i]
                    return [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                })
            }
        }
        return ELFDebugInfo(compileUnitsByVersion: versions, compressed: compressed, buildID: buildID)
    }
}
