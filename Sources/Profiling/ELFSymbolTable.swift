/// The function symbols of one ELF file's `.symtab`, for addresses `dladdr` cannot name.
///
/// `dladdr` only sees the dynamic symbol table, and SwiftPM does not export an executable's
/// symbols, so every function of phibench itself would otherwise be an address. The static
/// symbol table is still there unless the binary was stripped; this reads it once per file
/// (memory-mapped, read-only) and keeps the functions sorted by address.
struct ELFSymbolTable {
    private struct Symbol {
        var start: UInt64
        var size: UInt64
        var name: String
    }

    private let symbols: [Symbol]
    /// Subtracted from an address after removing the load base, to get a symbol value: 0 for
    /// position-independent files, the first segment's address for fixed-address executables.
    private let valueBias: UInt64
    private let fixedAddress: Bool

    /// The table of the file at `path` (`.symtab`, or `.dynsym` when stripped), or nil when it
    /// cannot be read or is not 64-bit little-endian ELF.
    init?(path: String) {
        guard let parsed = try? ELFImage.withFile(at: path, { Self.parse($0) }) else { return nil }
        (symbols, valueBias, fixedAddress) = parsed
    }

    /// The symbol (raw, still mangled) containing `address`, given the file's load base.
    func symbol(containing address: UInt, loadBase: UInt) -> String? {
        let value = fixedAddress ? UInt64(address) : UInt64(address &- loadBase) &+ valueBias
        var low = 0
        var high = symbols.count
        while low < high {  // first symbol starting after value
            let mid = (low + high) / 2
            if symbols[mid].start <= value { low = mid + 1 } else { high = mid }
        }
        // Aliases share a start (`main` of size 0 and `Bench_main` of its real size); sorted by size,
        // the widest comes last. Zero-sized symbols (`_init` before the PLT) name only their address.
        var index = low - 1
        while index >= 0, index >= low - 8 {
            let candidate = symbols[index]
            if value < candidate.start + max(candidate.size, 1) { return candidate.name }
            index -= 1
        }
        return nil
    }

    private static func parse(_ file: UnsafeRawBufferPointer) -> ([Symbol], UInt64, Bool)? {
        guard let elf = ELFImage(file) else { return nil }

        let type = elf.u16(16)  // ET_EXEC = 2, ET_DYN = 3
        let programHeaders = Int(elf.u64(32)), programHeaderSize = elf.u16(54), programHeaderCount = elf.u16(56)
        let sectionHeaders = Int(elf.u64(40)), sectionHeaderSize = elf.u16(58), sectionCount = elf.u16(60)
        guard sectionHeaders > 0, sectionHeaderSize >= 64,
              sectionHeaders + sectionCount * sectionHeaderSize <= file.count else { return nil }

        var firstLoad = UInt64.max
        if programHeaderSize >= 56, programHeaders + programHeaderCount * programHeaderSize <= file.count {
            for index in 0..<programHeaderCount {
                let header = programHeaders + index * programHeaderSize
                if elf.u32(header) == 1 { firstLoad = min(firstLoad, elf.u64(header + 16)) }  // PT_LOAD p_vaddr
            }
        }
        let bias = firstLoad == .max ? 0 : firstLoad & ~UInt64(0xFFF)

        // The full .symtab (SHT_SYMTAB = 2) when present, else the exported .dynsym (SHT_DYNSYM = 11).
        let sectionTypes = (0..<sectionCount).map { elf.u32(sectionHeaders + $0 * sectionHeaderSize + 4) }
        let wanted: UInt32 = sectionTypes.contains(2) ? 2 : 11
        for index in 0..<sectionCount {
            let header = sectionHeaders + index * sectionHeaderSize
            guard sectionTypes[index] == wanted else { continue }
            let offset = Int(elf.u64(header + 24)), size = Int(elf.u64(header + 32))
            let entrySize = Int(elf.u64(header + 56)), link = Int(elf.u32(header + 40))
            guard entrySize >= 24, offset + size <= file.count, link < sectionCount else { return nil }
            let stringsHeader = sectionHeaders + link * sectionHeaderSize
            let strings = Int(elf.u64(stringsHeader + 24)), stringsSize = Int(elf.u64(stringsHeader + 32))
            guard strings + stringsSize <= file.count else { return nil }

            var symbols: [Symbol] = []
            for entry in stride(from: offset, to: offset + size - entrySize + 1, by: entrySize) {
                let kind = file[entry + 4] & 0xF  // STT_FUNC = 2, STT_GNU_IFUNC = 10
                let value = elf.u64(entry + 8)
                guard kind == 2 || kind == 10, value != 0, elf.u16(entry + 6) != 0 else { continue }
                let nameOffset = Int(elf.u32(entry))
                guard nameOffset < stringsSize else { continue }
                let name = elf.string(at: strings + nameOffset, end: strings + stringsSize)
                guard !name.isEmpty else { continue }
                symbols.append(Symbol(start: value, size: elf.u64(entry + 16), name: name))
            }
            symbols.sort { ($0.start, $0.size) < ($1.start, $1.size) }
            return (symbols, type == 3 ? bias : 0, type == 2)
        }
        return nil
    }
}
