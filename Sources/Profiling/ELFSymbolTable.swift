#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 64 else { return nil }
        let size = Int(info.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        defer { munmap(mapped, size) }
        guard let parsed = Self.parse(UnsafeRawBufferPointer(start: mapped, count: size)) else { return nil }
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
        // ELF64 little-endian only (x86_64 and arm64 Linux).
        guard file.count > 64, file[0] == 0x7F, file[1] == 0x45, file[2] == 0x4C, file[3] == 0x46,
              file[4] == 2, file[5] == 1 else { return nil }
        func u16(_ offset: Int) -> Int { Int(file.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
        func u32(_ offset: Int) -> UInt32 { file.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        func u64(_ offset: Int) -> UInt64 { file.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }

        let type = u16(16)  // ET_EXEC = 2, ET_DYN = 3
        let programHeaders = Int(u64(32)), programHeaderSize = u16(54), programHeaderCount = u16(56)
        let sectionHeaders = Int(u64(40)), sectionHeaderSize = u16(58), sectionCount = u16(60)
        guard sectionHeaders > 0, sectionHeaderSize >= 64,
              sectionHeaders + sectionCount * sectionHeaderSize <= file.count else { return nil }

        var firstLoad = UInt64.max
        if programHeaderSize >= 56, programHeaders + programHeaderCount * programHeaderSize <= file.count {
            for index in 0..<programHeaderCount {
                let header = programHeaders + index * programHeaderSize
                if u32(header) == 1 { firstLoad = min(firstLoad, u64(header + 16)) }  // PT_LOAD p_vaddr
            }
        }
        let bias = firstLoad == .max ? 0 : firstLoad & ~UInt64(0xFFF)

        // The full .symtab (SHT_SYMTAB = 2) when present, else the exported .dynsym (SHT_DYNSYM = 11).
        let sectionTypes = (0..<sectionCount).map { u32(sectionHeaders + $0 * sectionHeaderSize + 4) }
        let wanted: UInt32 = sectionTypes.contains(2) ? 2 : 11
        for index in 0..<sectionCount {
            let header = sectionHeaders + index * sectionHeaderSize
            guard sectionTypes[index] == wanted else { continue }
            let offset = Int(u64(header + 24)), size = Int(u64(header + 32))
            let entrySize = Int(u64(header + 56)), link = Int(u32(header + 40))
            guard entrySize >= 24, offset + size <= file.count, link < sectionCount else { return nil }
            let stringsHeader = sectionHeaders + link * sectionHeaderSize
            let strings = Int(u64(stringsHeader + 24)), stringsSize = Int(u64(stringsHeader + 32))
            guard strings + stringsSize <= file.count else { return nil }

            var symbols: [Symbol] = []
            for entry in stride(from: offset, to: offset + size - entrySize + 1, by: entrySize) {
                let kind = file[entry + 4] & 0xF  // STT_FUNC = 2, STT_GNU_IFUNC = 10
                let value = u64(entry + 8)
                guard kind == 2 || kind == 10, value != 0, u16(entry + 6) != 0 else { continue }
                let nameOffset = Int(u32(entry))
                guard nameOffset < stringsSize else { continue }
                let nameStart = strings + nameOffset
                var nameEnd = nameStart
                while nameEnd < strings + stringsSize, file[nameEnd] != 0 { nameEnd += 1 }
                guard nameEnd > nameStart else { continue }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: file[nameStart..<nameEnd]), as: UTF8.self)
                symbols.append(Symbol(start: value, size: u64(entry + 16), name: name))
            }
            symbols.sort { ($0.start, $0.size) < ($1.start, $1.size) }
            return (symbols, type == 3 ? bias : 0, type == 2)
        }
        return nil
    }
}
